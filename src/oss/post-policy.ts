/**
PostObject form signing (DESIGN.md §6) for HTML forms, `my.uploadFile` and `wx.uploadFile`: a base64 policy and the
fields that must accompany the file. Pure crypto, no I/O, so it stays small on its own.
@see {@link https://help.aliyun.com/zh/oss/developer-reference/signature-version-4-recommend}
@module
*/
import type {OssCredentials} from './types.js';
import {toBase64} from './encode.js';
import {ossOrigin, regionFromEndpoint} from './endpoint.js';
import {assertKeyInDir} from './key.js';
import {credentialScope, OSS4_ALGORITHM, ossDate, signingRegion, signV4} from './sign.js';
import {signV1} from './sign-v1.js';

/** Options of {@link createPostPolicy}. Pass exactly one of `key` and `keyPrefix`; either must start with `credentials.dir`. */
export type PostPolicyOptions = {
	/** The exact object key the form may write. */
	key?: string | undefined;
	/** A key prefix: the form's `key` becomes `<keyPrefix>${filename}` (OSS substitutes the uploaded file's name). */
	keyPrefix?: string | undefined;
	/**
	Largest accepted file, bytes (at most 5 GiB, PostObject's limit).
	@default 104857600 (100 MiB)
	*/
	maxSize?: number | undefined;
	/**
	Smallest accepted file, bytes.
	@default 0
	*/
	minSize?: number | undefined;
	/**
	Required `Content-Type`: exact (`image/png`, sent as a field), or a family ending in `/*` (`image/*`, a starts-with
	condition: the sender must then add a `Content-Type` field itself, before the file).
	*/
	contentType?: string | undefined;
	/**
	How long the policy is valid, ms; never beyond `credentials.expiresAt`.
	@default 900000 (15 minutes)
	*/
	expiresInMs?: number | undefined;
	/**
	HTTP status OSS answers a successful upload with (`success_action_status`).
	@default 200
	*/
	successActionStatus?: 200 | 201 | 204 | undefined;
	/**
	Signature version: `v4` (`OSS4-HMAC-SHA256`, recommended) or legacy `v1` (`OSSAccessKeyId` + `Signature`).
	@default 'v4'
	*/
	version?: 'v4' | 'v1' | undefined;
	/**
	The current time, epoch ms (clock-corrected if the server's clock is known).
	@default Date.now()
	*/
	now?: number | undefined;
};

/** What {@link createPostPolicy} returns: where to POST and the form fields to send before the file. */
export type PostPolicy = {
	/** The bucket origin with a trailing `/`, the form's `action`. */
	url: string;
	/** Form fields in the order they must be sent; append the file field (`file`) last. */
	fields: Record<string, string>;
	/** When the policy expires, epoch ms. */
	expiresAt: number;
};

// 100 MiB: generous for a form upload, yet bounds what leaked fields allow; PostObject itself caps at 5 GiB.
const DEFAULT_MAX_SIZE = 100 * 1024 * 1024;
const MAX_POST_SIZE = 5 * 1024 * 1024 * 1024;

/**
Sign a PostObject policy. V4 fields: `key`, `policy`, `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
`x-oss-signature` (hex HMAC-SHA256 of the base64 policy under the V4 signing key), `x-oss-security-token`,
`success_action_status`, and `Content-Type` when exact. V1 fields: `key`, `policy`, `OSSAccessKeyId`, `Signature`
(base64 HMAC-SHA1 of the base64 policy), `x-oss-security-token`, `success_action_status`, `Content-Type`.
The policy binds the bucket, the key (or its prefix), the size range, the signing fields, the token, the status and the
content type. Throws a `TypeError` naming the option on bad input, and when the credentials have expired.
@example
```
const {url, fields} = await createPostPolicy(credentials, {keyPrefix: credentials.dir, contentType: 'image/*'});
const form = new FormData();
for (const [name, value] of Object.entries(fields)) form.append(name, value);
form.append('Content-Type', file.type);
form.append('file', file);
await fetch(url, {method: 'POST', body: form});
```
*/
export async function createPostPolicy(credentials: OssCredentials, options: PostPolicyOptions = {}): Promise<PostPolicy> {
	const {key, keyPrefix, contentType, version = 'v4', minSize = 0, maxSize = DEFAULT_MAX_SIZE} = options;
	const {accessKeyId, accessKeySecret, securityToken, bucket} = credentials;
	const {expiresInMs = 15 * 60_000, successActionStatus = 200, now = Date.now()} = options;
	const fail = (message: string): never => {
		throw new TypeError(message);
	};
	if ((key === undefined) === (keyPrefix === undefined)) fail('Pass exactly one of `key` and `keyPrefix`');
	assertKeyInDir(key ?? keyPrefix!, credentials.dir, key === undefined ? 'keyPrefix' : 'key');
	if (!Number.isSafeInteger(minSize) || minSize < 0) fail('`minSize` must be a whole number of bytes ≥ 0');
	if (!Number.isSafeInteger(maxSize) || maxSize < minSize || maxSize > MAX_POST_SIZE) fail('`maxSize` must be a whole number of bytes from `minSize` to 5 GiB');
	if (!(expiresInMs > 0)) fail('`expiresInMs` must be a positive number of milliseconds');
	if (![200, 201, 204].includes(successActionStatus)) fail('`successActionStatus` must be 200, 201 or 204');
	if (version !== 'v4' && version !== 'v1') fail('`version` must be "v4" or "v1"');
	if (!accessKeyId || !accessKeySecret) fail('`credentials` lack `accessKeyId` or `accessKeySecret`');
	const expiresAt = Math.min(now + expiresInMs, credentials.expiresAt);
	if (!(expiresAt > now)) fail('`credentials` have expired; get new ones before signing a policy');

	const status = String(successActionStatus);
	const wildcard = contentType?.endsWith('/*');
	const fields: Record<string, string> = {key: key ?? keyPrefix + '${filename}'};
	const conditions: unknown[] = [{bucket}, key === undefined ? ['starts-with', '$key', keyPrefix] : {key}, ['content-length-range', minSize, maxSize]];
	let sign = (policy: string) => signV1(accessKeySecret, policy);
	const signing: Record<string, string> = {};
	if (version === 'v4') {
		const region = signingRegion(credentials.region || regionFromEndpoint(credentials.endpoint));
		const date = ossDate(now);
		signing['x-oss-signature-version'] = OSS4_ALGORITHM;
		signing['x-oss-credential'] = `${accessKeyId}/${credentialScope(date.slice(0, 8), region)}`;
		signing['x-oss-date'] = date;
		for (const [name, value] of Object.entries(signing)) conditions.push({[name]: value});
		sign = (policy) => signV4(accessKeySecret, date.slice(0, 8), region, policy);
	}
	if (securityToken) conditions.push({'x-oss-security-token': securityToken});
	conditions.push({success_action_status: status});
	if (contentType && contentType !== '*/*') {
		conditions.push(wildcard ? ['starts-with', '$Content-Type', contentType.slice(0, -1)] : ['eq', '$Content-Type', contentType]);
	}

	const policy = (fields.policy = toBase64(JSON.stringify({expiration: new Date(expiresAt).toISOString(), conditions})));
	if (version === 'v4') Object.assign(fields, signing, {'x-oss-signature': await sign(policy)});
	else Object.assign(fields, {OSSAccessKeyId: accessKeyId, Signature: await sign(policy)});
	if (securityToken) fields['x-oss-security-token'] = securityToken;
	fields.success_action_status = status;
	if (contentType && !wildcard) fields['Content-Type'] = contentType;
	return {url: ossOrigin(credentials) + '/', fields, expiresAt};
}
