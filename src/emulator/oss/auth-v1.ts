/**
OSS signature V1 (`Authorization: OSS <ak>:<base64 HMAC-SHA1>`) as the server recomputes it. Checked against
ali-oss's `buildCanonicalString`/`buildCanonicalizedResource`:
```
VERB\nContent-MD5\nContent-Type\nDate\n[x-oss-name:trimmed value\n]…/<bucket>/<key>[?sub[=value]&…]
```
- the Date slot carries the `Date` header, or `x-oss-date` when the client set that instead (browsers cannot set
  `Date`; ali-oss always sends `x-oss-date` and puts it there);
- canonicalized OSS headers: every `x-oss-*` header, lower-cased, sorted, `name:value` (value trimmed);
- the resource uses the raw (decoded, not URL-encoded) key, plus the sub-resources present in the query (only
  those in {@link SUB_RESOURCES}), sorted, with raw values; a sub-resource without a value is the bare name.
@module
*/
import {createHmac} from 'node:crypto';
import type {SignedRequestParts} from './auth-v4.js';

/** Query parameters that are part of the V1 canonicalized resource (from the OSS SDKs' signing lists). */
export const SUB_RESOURCES: ReadonlySet<string> = new Set([
	'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
	'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
	'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
	'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type', 'x-oss-traffic-limit',
	'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
	'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication',
	'udfApplicationLog', 'restore', 'callback', 'callback-var', 'qosInfo', 'policy', 'stat', 'encryption', 'versions',
	'versioning', 'versionId', 'requestPayment', 'x-oss-request-payer', 'sequential', 'inventory', 'inventoryId',
	'continuation-token', 'asyncFetch', 'worm', 'wormId', 'wormExtend', 'withHashContext', 'x-oss-enable-md5',
	'x-oss-enable-sha1', 'x-oss-enable-sha256', 'x-oss-hash-ctx', 'x-oss-md5-ctx', 'transferAcceleration',
	'regionList', 'cloudboxes', 'x-oss-ac-source-ip', 'x-oss-ac-subnet-mask', 'x-oss-ac-vpc-id',
	'x-oss-ac-forward-allow', 'metaQuery', 'resourceGroup', 'rtc', 'x-oss-async-process', 'responseHeader',
]);

/** A parsed `Authorization: OSS ak:signature` header. */
export type AuthorizationV1 = {accessKeyId: string; signature: string};

/** Parses the V1 Authorization header; `undefined` when malformed. */
export function parseAuthorizationV1(header: string): AuthorizationV1 | undefined {
	const match = /^OSS ([^:\s]+):(\S+)$/.exec(header.trim());
	return match ? {accessKeyId: match[1]!, signature: match[2]!} : undefined;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/** The canonicalized resource: `/<bucket>/<key>` plus signed sub-resources. */
export function canonicalResourceV1(bucket: string, key: string, query: ReadonlyArray<readonly [string, string]>): string {
	const subs = query.filter(([name]) => SUB_RESOURCES.has(name));
	const sorted = [...new Map(subs).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	const resource = `/${bucket}/${key}`;
	if (sorted.length === 0) return resource;
	return `${resource}?${sorted.map(([name, value]) => (value === '' ? name : `${name}=${value}`)).join('&')}`;
}

/** The V1 string to sign, with `date` in the Date slot. */
export function stringToSignV1(request: SignedRequestParts, date: string): string {
	const ossHeaders = Object.keys(request.headers)
		.filter(name => name.startsWith('x-oss-'))
		.sort()
		.map(name => `${name}:${(single(request.headers[name]) ?? '').trim()}\n`)
		.join('');
	return [
		request.method.toUpperCase(),
		single(request.headers['content-md5']) ?? '',
		single(request.headers['content-type']) ?? '',
		date,
		`${ossHeaders}${canonicalResourceV1(request.bucket, request.key, request.query)}`,
	].join('\n');
}

/** Base64 HMAC-SHA1 of `text` (a string to sign, or a PostObject base64 policy). */
export function signatureV1(secret: string, text: string): string {
	return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}
