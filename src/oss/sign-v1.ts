/**
Legacy OSS signature V1 (`Authorization: OSS <id>:<base64 HMAC-SHA1>`), kept in its own module so it tree-shakes away
when only V4 is used. Canonicalisation follows ali-oss's `buildCanonicalString`; `test/vectors/oss-v1.json` holds its
answers.
@see {@link https://help.aliyun.com/zh/oss/developer-reference/include-signatures-in-the-authorization-header}
@module
*/
import type {OssSignInput, OssSigningCredentials} from './sign.js';
import {hmac, toBase64, utf8} from './encode.js';

/** {@link OssSignInput} plus an optional `x-oss-date` value (RFC 1123 GMT, e.g. `Tue, 02 Jan 2024 03:04:05 GMT`). */
export type OssSignInputV1 = OssSignInput & {date?: string | undefined};

// Query names V1 signs (the OSS "sub-resources" an upload can meet); every `response-*` is signed too. Other query
// parameters (`max-parts`, `prefix`, …) are sent but not signed in V1.
const SUB_RESOURCES = /^(?:acl|append|delete|objectMeta|partNumber|position|restore|security-token|sequential|symlink|tagging|uploadId|uploads|versionId|versions|x-oss-process|response-.+)$/;

/**
The V1 string to sign: verb, `Content-MD5`, `Content-Type`, date (`x-oss-date`), the sorted `x-oss-*` headers as
`name:value`, and the canonical resource `/bucket/key` (key unencoded) with the sorted sub-resources
(`?partNumber=3&uploadId=…`, a value-less one as its bare name, values unencoded).
@example
```
canonicalStringV1({method: 'POST', bucket: 'b', key: 'a.bin', query: {uploads: null}, headers: {'x-oss-date': date}})
// 'POST\n\n\n<date>\nx-oss-date:<date>\n/b/a.bin?uploads'
```
*/
export function canonicalStringV1(input: OssSignInput): string {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = String(value);
	const query = input.query ?? {};
	const sub = Object.keys(query)
		.filter((name) => query[name] !== undefined && SUB_RESOURCES.test(name))
		.sort()
		.map((name) => name + (query[name] ? '=' + query[name] : ''));
	return [
		input.method.toUpperCase(),
		headers['content-md5'] ?? '',
		headers['content-type'] ?? '',
		headers['x-oss-date'] ?? '',
		...Object.keys(headers)
			.filter((name) => name.startsWith('x-oss-'))
			.sort()
			.map((name) => `${name}:${headers[name]!.trim()}`),
		'/' + (input.bucket ? input.bucket + '/' : '') + (input.key ?? '') + (sub.length ? '?' + sub.join('&') : ''),
	].join('\n');
}

/**
Base64 HMAC-SHA1 of `text` under `secret`: the V1 request signature and the V1 PostObject `Signature` field.
@example
```
await signV1(secret, policyBase64) // 28 base64 chars
```
*/
export const signV1 = async (secret: string, text: string): Promise<string> => toBase64(await hmac(utf8(secret), text, 'SHA-1'));

/**
Sign one OSS request with legacy signature V1. Returns `input.headers` plus `x-oss-date` (browsers may not set `Date`),
`x-oss-security-token` when present, and `Authorization: OSS <accessKeyId>:<signature>`. Prefer V4
({@link signOssRequest}); V1 is here for parity with old buckets and PostObject V1.
@default options.now Date.now()
@example
```
const headers = await signOssRequestV1(credentials, {method: 'PUT', bucket, key, headers: {'content-type': 'text/plain'}});
```
*/
export async function signOssRequestV1(
	credentials: Pick<OssSigningCredentials, 'accessKeyId' | 'accessKeySecret' | 'securityToken'>,
	input: OssSignInputV1,
	options: {now?: number | undefined} = {},
): Promise<Record<string, string>> {
	const {accessKeyId, accessKeySecret, securityToken} = credentials;
	if (!accessKeyId || !accessKeySecret) throw new TypeError('`accessKeyId` and `accessKeySecret` are required to sign an OSS request');
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		if (!/^(?:authorization|x-oss-date|x-oss-security-token)$/i.test(name)) headers[name] = value;
	}
	headers['x-oss-date'] = input.date ?? new Date(options.now ?? Date.now()).toUTCString();
	if (securityToken) headers['x-oss-security-token'] = securityToken;
	headers.Authorization = `OSS ${accessKeyId}:${await signV1(accessKeySecret, canonicalStringV1({...input, headers}))}`;
	return headers;
}
