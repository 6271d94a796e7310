/**
OSS signature V4 (`OSS4-HMAC-SHA256`) for request headers (DESIGN.md §6), named after the spec's steps:
{@link canonicalRequest} → {@link stringToSign} → {@link signingKey} → signature. Canonicalisation follows ali-oss's
own signer (`lib/common/signUtils.js`); `test/vectors/oss-v4.json` holds its answers.
@see {@link https://help.aliyun.com/zh/oss/developer-reference/recommend-to-use-signature-version-4}
@module
*/
import type {OssCredentials} from './types.js';
import {canonicalQuery, hmac, importHmacKey, ossEncodePath, sha256Hex, toHex, utf8, type OssQuery} from './encode.js';

/** What {@link signOssRequest} signs: one request to one bucket (and object). */
export type OssSignInput = {
	/** HTTP verb, e.g. `PUT`. */
	method: string;
	/** Bucket name. */
	bucket: string;
	/** Object key, unencoded (`undefined` for a bucket-level request). */
	key?: string | undefined;
	/** Query parameters, unencoded; `null` or `''` marks a sub-resource without value (`uploads`), `undefined` is skipped. */
	query?: OssQuery | undefined;
	/** Request headers; `content-type`, `content-md5` and every `x-oss-*` header are signed. */
	headers?: Record<string, string> | undefined;
	/** Further header names to sign, e.g. `['host']`; each must be present in `headers`. */
	additionalHeaders?: string[] | undefined;
};

/** The credential fields signing needs. */
export type OssSigningCredentials = Pick<OssCredentials, 'accessKeyId' | 'accessKeySecret' | 'securityToken' | 'region'>;

/** The V4 algorithm name, in `Authorization`, the string to sign and `x-oss-signature-version`. */
export const OSS4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** The payload hash browsers send: the body is not hashed (it would mean reading a whole file first). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
`x-oss-date` for epoch ms `now`: ISO 8601 basic format in UTC, `yyyymmddTHHMMSSZ`.
@example
```
ossDate(Date.UTC(2024, 0, 2, 3, 4, 5)) // '20240102T030405Z'
```
*/
export const ossDate = (now: number): string => new Date(now).toISOString().replace(/[-:]|\.\d*/g, '');

/**
The credential scope `<yyyymmdd>/<region>/oss/aliyun_v4_request`.
@example
```
credentialScope('20240102', 'cn-hangzhou') // '20240102/cn-hangzhou/oss/aliyun_v4_request'
```
*/
export const credentialScope = (day: string, region: string): string => `${day}/${region}/oss/aliyun_v4_request`;

/**
A region as signing wants it: trimmed, without an `oss-` prefix (ali-oss's `getStandardRegion`). Throws a `TypeError`
when empty.
@example
```
signingRegion('oss-cn-hangzhou') // 'cn-hangzhou'
```
*/
export function signingRegion(region: string | undefined): string {
	const standard = (region ?? '').trim().replace(/^oss-/, '');
	if (!standard) throw new TypeError('`region` is required');
	return standard;
}

/** Whether a (lowercase) header is always signed in V4: `content-type`, `content-md5` and `x-oss-*`. */
const isDefaultSigned = (name: string): boolean => /^(content-(type|md5)$|x-oss-)/.test(name);

/**
Additional header names as V4 lists them: lowercase, deduplicated, sorted, without the always-signed ones
(ali-oss's `fixAdditionalHeaders`).
@example
```
additionalHeaderNames(['Host', 'x-oss-meta-a', 'host']) // ['host']
```
*/
export const additionalHeaderNames = (names: string[] = []): string[] =>
	[...new Set(names.map((name) => name.toLowerCase()))].filter((name) => !isDefaultSigned(name)).sort();

/**
The V4 canonical request: verb, canonical URI (`/bucket/key`, encoded, `/` kept), canonical query, canonical headers
(`name:trimmed value\n`, sorted), additional header list, payload hash (`x-oss-content-sha256` or `UNSIGNED-PAYLOAD`).
`input.headers` must already carry the `x-oss-*` headers that will be sent. Throws a `TypeError` when an additional
header is missing from `headers`.
@example
```
canonicalRequest({method: 'PUT', bucket: 'b', key: 'a.txt', headers: {'x-oss-date': '20240102T030405Z'}})
// 'PUT\n/b/a.txt\n\nx-oss-date:20240102T030405Z\n\n\nUNSIGNED-PAYLOAD'
```
*/
export function canonicalRequest(input: OssSignInput): string {
	// Lowercase names; the last spelling wins.
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = String(value);
	const additional = additionalHeaderNames(input.additionalHeaders);
	for (const name of additional) if (!Object.hasOwn(headers, name)) throw new TypeError(`Additional header \`${name}\` is missing`);
	return [
		input.method.toUpperCase(),
		ossEncodePath('/' + (input.bucket ? input.bucket + '/' : '') + (input.key ?? '')),
		canonicalQuery(input.query),
		[...additional, ...Object.keys(headers).filter(isDefaultSigned)]
			.sort()
			.map((name) => `${name}:${headers[name]!.trim()}\n`)
			.join(''),
		additional.join(';'),
		headers['x-oss-content-sha256'] || UNSIGNED_PAYLOAD,
	].join('\n');
}

/**
The V4 string to sign: algorithm, `x-oss-date`, credential scope, hex SHA-256 of the canonical request.
@example
```
await stringToSign(canonical, '20240102T030405Z', 'cn-hangzhou')
// 'OSS4-HMAC-SHA256\n20240102T030405Z\n20240102/cn-hangzhou/oss/aliyun_v4_request\n<hex>'
```
*/
export const stringToSign = async (canonical: string, date: string, region: string): Promise<string> =>
	[OSS4_ALGORITHM, date, credentialScope(date.slice(0, 8), region), await sha256Hex(canonical)].join('\n');

// The last derived key and its day/region/secret: one derivation (five HMACs) per day and set of credentials instead
// of per request. An upload signs with one set at a time, so one entry suffices.
let cachedId: string | undefined;
let cachedKey: Promise<CryptoKey>;

/**
The V4 signing key: HMAC-SHA256 chain from `"aliyun_v4" + secret` over the day, the region, `oss` and
`aliyun_v4_request`, as a non-extractable `CryptoKey`. The last one is cached per (secret, day, region).
@example
```
const key = await signingKey(secret, '20240102', 'cn-hangzhou');
const signature = toHex(await hmac(key, stringToSign));
```
*/
export function signingKey(secret: string, day: string, region: string): Promise<CryptoKey> {
	const id = `${day}/${region}/${secret}`;
	if (id !== cachedId) {
		cachedId = id;
		cachedKey = (async () => {
			let bytes: ArrayBuffer | Uint8Array = utf8('aliyun_v4' + secret);
			for (const part of [day, region, 'oss', 'aliyun_v4_request']) bytes = await hmac(bytes, part);
			return importHmacKey(bytes);
		})();
		// A failed derivation is not kept.
		cachedKey.catch(() => (cachedId = undefined));
	}
	return cachedKey;
}

/**
Hex V4 signature of `text` (a string to sign, or a base64 PostObject policy) for `day` and `region`.
@example
```
await signV4(secret, '20240102', 'cn-hangzhou', policyBase64) // 64 hex chars
```
*/
export const signV4 = async (secret: string, day: string, region: string, text: string): Promise<string> =>
	toHex(await hmac(await signingKey(secret, day, region), text));

// Headers the signer sets itself; a caller's spelling of them is dropped.
const OWN_HEADERS = /^(?:authorization|x-oss-(?:date|content-sha256|security-token))$/i;

/**
Sign one OSS request with signature V4. Returns the headers to send: `input.headers` plus `x-oss-date`,
`x-oss-content-sha256: UNSIGNED-PAYLOAD`, `x-oss-security-token` (when the credentials have one) and
`Authorization: OSS4-HMAC-SHA256 Credential=…,AdditionalHeaders=…,Signature=…`. The URL to send it to is
{@link ossOrigin} + `/` + {@link ossEncodePath}(key) + `?` + {@link canonicalQuery}(query).
@default options.now Date.now() — pass the clock-corrected time after a `RequestTimeTooSkewed`.
@example
```
const headers = await signOssRequest(credentials, {
	method: 'PUT', bucket: credentials.bucket, key: 'uploads/a.png', query: {partNumber: '3', uploadId},
	headers: {'content-type': 'image/png'},
});
await fetch(url, {method: 'PUT', headers, body});
```
*/
export async function signOssRequest(
	credentials: OssSigningCredentials,
	input: OssSignInput,
	options: {now?: number | undefined} = {},
): Promise<Record<string, string>> {
	const {accessKeyId, accessKeySecret, securityToken} = credentials;
	if (!accessKeyId || !accessKeySecret) throw new TypeError('`accessKeyId` and `accessKeySecret` are required');
	const region = signingRegion(credentials.region);
	const date = ossDate(options.now ?? Date.now());
	const day = date.slice(0, 8);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) if (!OWN_HEADERS.test(name)) headers[name] = value;
	headers['x-oss-date'] = date;
	headers['x-oss-content-sha256'] = UNSIGNED_PAYLOAD;
	if (securityToken) headers['x-oss-security-token'] = securityToken;
	const additional = additionalHeaderNames(input.additionalHeaders).join(';');
	const signature = await signV4(accessKeySecret, day, region, await stringToSign(canonicalRequest({...input, headers}), date, region));
	headers.Authorization = `${OSS4_ALGORITHM} Credential=${accessKeyId}/${credentialScope(day, region)},${additional && `AdditionalHeaders=${additional},`}Signature=${signature}`;
	return headers;
}
