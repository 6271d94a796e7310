/**
`uploadFile`: a local file to OSS through `my.uploadFile` / `wx.uploadFile`, as a PostObject form signed by
`createPostPolicy` (the only upload those APIs can make: a multipart `POST`).
@module
*/
import type {OssCredentialParams, TopsecClient} from '../client/types.js';
import {OssError} from '../errors/oss-error.js';
import {objectUrl} from '../oss/endpoint.js';
import {defaultObjectKey} from '../oss/key.js';
import {createPostPolicy} from '../oss/post-policy.js';
import {parseOssError, readServerTime} from '../oss/xml.js';
import {describeFailure, settle} from './call.js';
import {backoffMs, sleep} from '../shared/timing.js';
import type {MiniappProgress, MiniappUploadApi} from './types.js';

/** Options of {@link uploadFile}. */
export type MiniappUploadOptions = {
	/** Local path of the file, from `chooseImage`, `chooseMedia`, `chooseMessageFile`… */
	filePath: string;
	/** Name used for the default key. @default the last segment of `filePath` */
	fileName?: string;
	/** Object key; must start with the credentials' `dir`. @default `<dir><yyyy-mm-dd>/<random>-<safe file name>` */
	key?: string;
	/** Params for `client.getOssCredentials()`. */
	credentials?: OssCredentialParams;
	/** Largest accepted size in bytes, enforced by OSS through the policy. @default 104857600 (100 MiB) */
	maxSize?: number;
	/** Required `Content-Type` (exact), sent as a form field and bound by the policy. */
	contentType?: string;
	/** Alipay's required `fileType`. @default 'image' */
	fileType?: 'image' | 'video' | 'audio';
	/** Per-attempt timeout in ms (WeChat; Alipay ignores it). @default 120000 */
	timeoutMs?: number;
	/** Attempts after the first on network failures and 5xx; each sends the whole file again. @default 2 */
	retries?: number;
	/** Called as the runtime reports progress. */
	onProgress?: (progress: {loaded: number; total: number}) => void;
	/** Aborts the upload task. */
	signal?: AbortSignal;
};

/** What {@link uploadFile} returns. */
export type MiniappUploadResult = {
	bucket: string;
	key: string;
	/** The object's URL (readable only if the bucket or object allows it; add its host to the downloadFile allowlist). */
	url: string;
	/** The ETag, when the runtime passes response headers on (Alipay does, WeChat does not). */
	etag: string | undefined;
};

const REFRESH_CODES = new Set(['SecurityTokenExpired', 'InvalidAccessKeyId', 'InvalidSecurityToken']);

/** The Web APIs `createPostPolicy` and the default key need; not every mini-program engine has them. */
function assertWebApis(needRandom: boolean): void {
	const missing = [
		typeof crypto === 'undefined' || typeof crypto.subtle?.sign !== 'function' ? 'crypto.subtle' : '',
		needRandom && (typeof crypto === 'undefined' || typeof crypto.getRandomValues !== 'function') ? 'crypto.getRandomValues' : '',
		typeof TextEncoder === 'undefined' ? 'TextEncoder' : '',
		typeof btoa === 'undefined' ? 'btoa' : '',
	].filter(Boolean);
	if (missing.length) throw new TypeError(`uploadFile signs the PostObject policy with Web APIs this runtime lacks (${missing.join(', ')}); install polyfills for them first (see docs/miniapp.md)`);
}

const etagOf = (header: Record<string, unknown> | undefined): string | undefined => {
	for (const [name, value] of Object.entries(header ?? {})) if (name.toLowerCase() === 'etag') return String(value);
	return undefined;
};

/**
Uploads a local file with `my.uploadFile` (Alipay, Taobao) or `wx.uploadFile` (WeChat) as an OSS PostObject: STS
credentials from `client`, a V4 policy from `createPostPolicy` that binds the key, the size range and the token, and
the file as the form's last field `file`. Expired credentials are renewed and clock skew corrected, then the file is
sent again; network failures and 5xx are retried with backoff (a WeChat app sent to the background has its requests
cut after 5 s: the retry, or a new call from `onShow`, sends the file again to the same key).
@example
```
import {uploadFile} from 'topsec/miniapp';

const {tempFilePaths} = await my.chooseImage({count: 1});
const {url} = await uploadFile(my, client, {filePath: tempFilePaths[0], credentials: {merchantCode: 'm1'}});
```
*/
export async function uploadFile(api: MiniappUploadApi, client: Pick<TopsecClient, 'getOssCredentials' | 'now' | 'syncClock'>, options: MiniappUploadOptions): Promise<MiniappUploadResult> {
	if (typeof api?.uploadFile !== 'function') throw new TypeError('`api` must be the mini-program global (`my` or `wx`) with `uploadFile`');
	if (typeof options !== 'object' || options === null) throw new TypeError('The `options` argument must be an object');
	const {filePath, signal, retries = 2, timeoutMs = 120_000, fileType = 'image', maxSize = 100 * 1024 * 1024} = options;
	if (typeof filePath !== 'string' || !filePath) throw new TypeError('`filePath` must be the local path of the file');
	if (!(Number.isInteger(retries) && retries >= 0)) throw new TypeError('`retries` must be a whole number ≥ 0');
	assertWebApis(options.key === undefined);
	const fileName = options.fileName ?? filePath.split(/[/\\]/).pop() ?? 'file';
	let key = options.key;

	for (let attempt = 0, refreshes = 0, clockFixes = 0; ; ) {
		signal?.throwIfAborted();
		const credentials = await client.getOssCredentials(options.credentials, signal ? {signal} : {});
		key ??= defaultObjectKey(credentials.dir, fileName, client.now());
		const policy = await createPostPolicy(credentials, {key, maxSize, contentType: options.contentType, now: client.now()});
		const outcome = await settle<{data: string; statusCode: number; header?: Record<string, unknown>}>((success, fail) => {
			const task = api.uploadFile({url: policy.url, filePath, name: 'file', fileName: 'file', fileType, formData: policy.fields, timeout: timeoutMs, success, fail});
			task?.onProgressUpdate?.((event: MiniappProgress) => {
				const loaded = event.totalBytesSent ?? event.totalBytesWritten;
				const total = event.totalBytesExpectedToSend ?? event.totalBytesExpectedToWrite;
				if (options.onProgress && loaded !== undefined && total !== undefined) options.onProgress({loaded, total});
			});
			return task;
		}, signal);

		let error: OssError;
		if (outcome.ok && outcome.value.statusCode >= 200 && outcome.value.statusCode < 300) {
			return {bucket: credentials.bucket, key, url: objectUrl(credentials, key), etag: etagOf(outcome.value.header)};
		} else if (outcome.ok) {
			const text = typeof outcome.value.data === 'string' ? outcome.value.data : '';
			error = parseOssError(text, outcome.value.statusCode);
			if (REFRESH_CODES.has(error.code) && refreshes++ < 2) {
				// Renew unless someone else already did while this upload was on its way.
				const latest = await client.getOssCredentials(options.credentials, signal ? {signal} : {});
				if (latest.securityToken === credentials.securityToken) await client.getOssCredentials(options.credentials, {...(signal ? {signal} : {}), forceRefresh: true});
				continue;
			}
			const serverTime = error.code === 'RequestTimeTooSkewed' ? readServerTime(text) : undefined;
			if (serverTime !== undefined && clockFixes++ < 2) {
				client.syncClock(serverTime);
				continue;
			}
			if (outcome.value.statusCode < 500 || attempt >= retries) throw error;
		} else {
			error = new OssError({code: 'NetworkError', message: `uploadFile failed before OSS answered: ${describeFailure(outcome.failure)}`, status: 0}, {cause: outcome.failure});
			if (attempt >= retries) throw error;
		}
		await sleep(backoffMs(attempt++), signal);
	}
}
