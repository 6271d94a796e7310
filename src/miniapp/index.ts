/**
topsec/miniapp — the client in Alipay/Taobao (`my.*`) and WeChat (`wx.*`) mini-programs, which have no `fetch`,
no IndexedDB and no PUT upload: a transport over `request`, storage over `get/setStorage`, and uploads over
`uploadFile` with a PostObject policy.
@module
*/
import {readProxyAnswer, type Transport} from '../client/transport.js';
import type {OssCredentialParams, TopsecClient} from '../client/types.js';
import {ProxyError} from '../errors/proxy-error.js';
import {OssError} from '../errors/oss-error.js';
import {createPostPolicy} from '../oss/post-policy.js';
import {defaultObjectKey} from '../oss/key.js';
import {objectUrl} from '../oss/endpoint.js';
import {parseOssError} from '../oss/xml.js';
import type {StorageAdapter} from '../storage/types.js';

type Callbacks<T> = {success?: (result: T) => void; fail?: (error: unknown) => void};

/** The part of `my` / `wx` topsec uses (both platforms' shapes are accepted). */
export type MiniappApi = {
	request(options: {url: string; method: 'POST'; data: string; header?: Record<string, string>; headers?: Record<string, string>; dataType?: string; timeout?: number} & Callbacks<{status?: number; statusCode?: number; data: unknown; header?: Record<string, string>; headers?: Record<string, string>}>): unknown;
	getStorage(options: {key: string} & Callbacks<{data: unknown}>): void;
	setStorage(options: {key: string; data: unknown} & Callbacks<unknown>): void;
	removeStorage(options: {key: string} & Callbacks<unknown>): void;
	getStorageInfo(options: Callbacks<{keys: string[]}>): void;
	uploadFile?(options: {url: string; filePath: string; name?: string; fileName?: string; fileType?: string; formData: Record<string, string>} & Callbacks<{statusCode?: number; status?: number; data: string; header?: Record<string, string>}>): unknown;
};

const call = <T>(fn: (callbacks: Callbacks<T>) => unknown): Promise<T> => new Promise((success, fail) => void fn({success, fail}));

/**
A {@link Transport} over `my.request` / `wx.request`.
@example
```
const client = createClient({identity, transport: createMiniappTransport(my, {proxy: 'https://api.example.com/top'}), storage: createMiniappStorage(my)});
```
*/
export function createMiniappTransport(api: MiniappApi, options: {proxy: string; timeoutMs?: number}): Transport {
	if (!options || typeof options.proxy !== 'string' || !/^https?:\/\//.test(options.proxy)) throw new TypeError('`proxy` must be an absolute http(s) URL (mini-apps have no page origin)');
	return async ({method, params, grant}, {signal}) => {
		signal?.throwIfAborted();
		const sentAt = Date.now();
		const headers = {'content-type': 'application/json'};
		const response = await call<{status?: number; statusCode?: number; data: unknown; header?: Record<string, string>; headers?: Record<string, string>}>((callbacks) =>
			api.request({url: options.proxy, method: 'POST', data: JSON.stringify(grant ? {method, params, grant} : {method, params}), header: headers, headers, dataType: 'json', timeout: options.timeoutMs ?? 15_000, ...callbacks}),
		).catch((error: unknown) => {
			throw new ProxyError('The proxy could not be reached', {status: 0, subCode: 'topsec.network'}, {cause: error});
		});
		signal?.throwIfAborted();
		const status = response.statusCode ?? response.status ?? 0;
		const body = typeof response.data === 'string' ? safeJson(response.data) : response.data;
		const answerHeaders = response.header ?? response.headers ?? {};
		return readProxyAnswer(method, status, body, sentAt, answerHeaders['retry-after'] ?? answerHeaders['Retry-After']);
	};
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Largest value stored under one key: Alipay allows 200 KB per key, WeChat 1 MB; stay under the smaller. */
const MAX_VALUE_CHARS = 190_000;

/**
A {@link StorageAdapter} over `my.getStorage/setStorage` or `wx.getStorage/setStorage`. Values are stored as JSON;
one larger than Alipay's 200 KB per-key limit is refused with a `TypeError` rather than silently cut.
*/
export function createMiniappStorage(api: MiniappApi): StorageAdapter {
	return {
		kind: 'miniapp',
		async get(key) {
			try {
				const {data} = await call<{data: unknown}>((callbacks) => api.getStorage({key, ...callbacks}));
				return typeof data === 'string' ? safeJson(data) : data ?? undefined;
			} catch {
				return undefined; // Missing keys fail on some platforms.
			}
		},
		async set(key, value) {
			const data = JSON.stringify(value);
			if (data.length > MAX_VALUE_CHARS) throw new TypeError(`value for "${key}" is ${data.length} characters; mini-app storage allows about 200 KB per key`);
			await call((callbacks) => api.setStorage({key, data, ...callbacks}));
		},
		async del(key) {
			await call((callbacks) => api.removeStorage({key, ...callbacks}));
		},
		async keys(prefix) {
			const {keys} = await call<{keys: string[]}>((callbacks) => api.getStorageInfo(callbacks));
			return keys.filter((key) => key.startsWith(prefix));
		},
	};
}

/** Options of {@link uploadFile}. */
export type MiniappUploadOptions = {
	/** Local path from `chooseImage`/`chooseMessageFile`. */
	filePath: string;
	/** File name used for the default key. */
	fileName?: string;
	/** Object key; must start with the credentials' dir. @default `<dir><date>/<random>-<name>` */
	key?: string;
	credentials?: OssCredentialParams;
	/** Largest accepted size in bytes. @default 100 MiB */
	maxSize?: number;
	/** Alipay's required `fileType`. @default 'image' */
	fileType?: 'image' | 'video' | 'audio';
	signal?: AbortSignal;
};

/**
Uploads a local file with `my.uploadFile` / `wx.uploadFile` as an OSS PostObject (the only kind of upload these
APIs can do: a multipart POST), with a V4 policy signed by the STS credentials.
*/
export async function uploadFile(api: MiniappApi, client: Pick<TopsecClient, 'getOssCredentials' | 'now'>, options: MiniappUploadOptions): Promise<{bucket: string; key: string; url: string}> {
	if (!api.uploadFile) throw new TypeError('`api.uploadFile` is missing');
	if (!options || typeof options.filePath !== 'string' || !options.filePath) throw new TypeError('`filePath` must be the local path of the file');
	const credentials = await client.getOssCredentials(options.credentials, options.signal ? {signal: options.signal} : {});
	const key = options.key ?? defaultObjectKey(credentials.dir, options.fileName ?? options.filePath.split('/').pop() ?? 'file', client.now());
	const policy = await createPostPolicy(credentials, {key, maxSize: options.maxSize ?? 100 * 1024 * 1024, now: client.now()});
	options.signal?.throwIfAborted();
	const response = await call<{statusCode?: number; status?: number; data: string}>((callbacks) =>
		api.uploadFile!({url: policy.url, filePath: options.filePath, name: 'file', fileName: 'file', fileType: options.fileType ?? 'image', formData: policy.fields, ...callbacks}),
	).catch((error: unknown) => {
		throw new OssError({code: 'NetworkError', message: 'uploadFile failed before OSS answered', status: 0}, {cause: error});
	});
	const status = response.statusCode ?? response.status ?? 0;
	if (status < 200 || status >= 300) throw parseOssError(String(response.data ?? ''), status);
	return {bucket: credentials.bucket, key, url: objectUrl(credentials, key)};
}
