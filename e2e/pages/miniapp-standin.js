// A stand-in for the mini-program runtime, for e2e/miniapp.spec.ts. It REPLACES the Alipay/Taobao (`my`) and
// WeChat (`wx`) runtimes: it is not them. It copies the documented behaviour topsec relies on — callback shapes,
// Alipay's `fail` with error 19 on a non-2xx status, WeChat's `fail` for a missing storage key, the per-key storage
// limits (200 KB / 1 MB), `uploadFile` as a multipart POST of `formData` then the file — and sends requests and
// uploads over real HTTP (fetch / XMLHttpRequest) to the proxy and the OSS emulator. What it cannot copy: the domain
// allowlists, the missing Origin header (a page always sends one, so the proxy allows the page's origin here), and
// the engine's own globals (the page is Chromium, with Web Crypto and TextEncoder).

const ALIPAY = 'alipay';
const KB = 1024;

/**
Creates `{api, files, storage, calls}`: `api` looks like `my` (platform 'alipay') or `wx` (platform 'wechat');
`files` maps local paths (as `chooseImage` would hand out) to Blobs; `storage` is the raw key-value store;
`calls` records every call by name.
*/
export function createStandIn(platform) {
	const alipay = platform === ALIPAY;
	const files = new Map();
	const storage = new Map();
	const calls = [];
	const limit = alipay ? 200 * KB : 1024 * KB;
	const later = (fn) => setTimeout(fn, 0); // Callbacks never run synchronously on either platform.

	const failWith = (options, failure) => later(() => options.fail?.(failure));
	const succeed = (options, result) => later(() => options.success?.(result));

	const api = {
		request(options) {
			calls.push({name: 'request', url: options.url, method: options.method});
			const controller = new AbortController();
			const headers = (alipay ? options.headers ?? options.header : options.header) ?? {};
			const body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
			fetch(options.url, {method: options.method ?? 'GET', headers, body, signal: controller.signal}).then(
				async (response) => {
					const text = await response.text();
					const header = Object.fromEntries(response.headers);
					let data = text;
					if ((options.dataType ?? 'json') === 'json') {
						try {
							data = JSON.parse(text);
						} catch {
							// Alipay fails a 'json' answer it cannot parse; WeChat hands the text over.
							if (alipay) return failWith(options, {error: 14, errorMessage: 'JSON parse data error'});
						}
					}
					if (alipay && (response.status < 200 || response.status >= 300)) {
						return failWith(options, {error: 19, errorMessage: 'http status error', status: response.status, data, headers: header});
					}
					succeed(options, alipay ? {data, status: response.status, headers: header, statusCode: response.status, header} : {data, statusCode: response.status, header, errMsg: 'request:ok'});
				},
				(error) => failWith(options, alipay ? {error: 12, errorMessage: `network error: ${error}`} : {errMsg: `request:fail ${error}`, errno: 600001}),
			);
			return {abort: () => controller.abort()};
		},

		getStorage(options) {
			calls.push({name: 'getStorage', key: options.key});
			if (!storage.has(options.key)) return alipay ? succeed(options, {data: null}) : failWith(options, {errMsg: 'getStorage:fail data not found'});
			succeed(options, {data: JSON.parse(storage.get(options.key)), ...(alipay ? {} : {errMsg: 'getStorage:ok'})});
		},
		setStorage(options) {
			calls.push({name: 'setStorage', key: options.key});
			const text = JSON.stringify(options.data);
			if (new TextEncoder().encode(text).length > limit) {
				return failWith(options, alipay ? {error: 15, errorMessage: 'storage value exceeds 200KB'} : {errMsg: 'setStorage:fail entry size limit reached'});
			}
			storage.set(options.key, text);
			succeed(options, alipay ? {success: true} : {errMsg: 'setStorage:ok'});
		},
		removeStorage(options) {
			calls.push({name: 'removeStorage', key: options.key});
			storage.delete(options.key);
			succeed(options, alipay ? {success: true} : {errMsg: 'removeStorage:ok'});
		},
		getStorageInfo(options) {
			calls.push({name: 'getStorageInfo'});
			const currentSize = Math.ceil([...storage.values()].reduce((sum, text) => sum + text.length, 0) / KB);
			succeed(options, {keys: [...storage.keys()], currentSize, limitSize: 10 * KB});
		},

		uploadFile(options) {
			calls.push({name: 'uploadFile', url: options.url, formData: {...options.formData}, fileType: options.fileType, fieldName: options.name});
			const xhr = new XMLHttpRequest();
			const listeners = [];
			const file = files.get(options.filePath);
			// Alipay needs `fileType`; both need the field name (`name`, or Alipay's alias `fileName`).
			const field = options.name ?? (alipay ? options.fileName : undefined);
			if (!file || !field || (alipay && !options.fileType)) {
				failWith(options, alipay ? {error: 2, errorMessage: `bad arguments or no such file ${options.filePath}`} : {errMsg: `uploadFile:fail file not found ${options.filePath}`});
				return {abort() {}, onProgressUpdate() {}};
			}
			const form = new FormData();
			for (const [name, value] of Object.entries(options.formData ?? {})) form.append(name, String(value));
			form.append(field, file, options.filePath.split('/').pop());
			xhr.open('POST', options.url);
			for (const [name, value] of Object.entries(options.header ?? {})) xhr.setRequestHeader(name, String(value));
			xhr.upload.onprogress = (event) => {
				const progress = Math.round((event.loaded / event.total) * 100);
				const payload = alipay
					? {progress, totalBytesWritten: event.loaded, totalBytesExpectedToWrite: event.total}
					: {progress, totalBytesSent: event.loaded, totalBytesExpectedToSend: event.total};
				for (const listener of listeners) listener(payload);
			};
			xhr.onload = () => {
				const header = {};
				for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
					const colon = line.indexOf(':');
					if (colon > 0) header[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
				}
				// Both platforms call `success` for any HTTP status here; WeChat passes no headers on.
				succeed(options, alipay ? {data: xhr.responseText, statusCode: xhr.status, header} : {data: xhr.responseText, statusCode: xhr.status, errMsg: 'uploadFile:ok'});
			};
			xhr.onerror = () => failWith(options, alipay ? {error: 12, errorMessage: 'network error'} : {errMsg: 'uploadFile:fail network error'});
			xhr.onabort = () => failWith(options, alipay ? {error: 9, errorMessage: 'abort'} : {errMsg: 'uploadFile:fail abort'});
			xhr.send(form);
			return {
				abort: () => xhr.abort(),
				onProgressUpdate: (listener) => listeners.push(listener),
			};
		},
	};
	return {api, files, storage, calls};
}
