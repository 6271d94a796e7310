/**
One HTTP exchange with OSS. XMLHttpRequest where it exists, because it is the only browser API that reports upload
progress inside a request body over HTTP/1.1 (fetch's request streams need HTTP/2 in Chromium:
`net::ERR_ALPN_NEGOTIATION_FAILED`); `fetch` elsewhere (service workers, Node), with progress at the end of the body.
@module
*/

/** What came back. `status` 0 means no answer (network error, dropped connection). */
export type OssExchange = {status: number; header(name: string): string | undefined; text: string};

/** One request. */
export type OssRequest = {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: Blob | ArrayBuffer | Uint8Array | string | undefined;
	signal?: AbortSignal | undefined;
	/** Bytes of the body sent so far. */
	onUploadProgress?: ((sent: number) => void) | undefined;
	/** Give up on a request that shows no progress for this long. @default 120000 */
	stallTimeoutMs?: number | undefined;
};

const hasXhr = typeof XMLHttpRequest === 'function';

/** Sends `request`; resolves with whatever answer came (any status), rejects only when `signal` aborts. */
export function send(request: OssRequest): Promise<OssExchange> {
	return hasXhr ? sendXhr(request) : sendFetch(request);
}

function sendXhr({method, url, headers, body, signal, onUploadProgress, stallTimeoutMs = 120_000}: OssRequest): Promise<OssExchange> {
	return new Promise((resolve, reject) => {
		signal?.throwIfAborted();
		const xhr = new XMLHttpRequest();
		let stall: ReturnType<typeof setTimeout> | undefined;
		const armStall = () => {
			clearTimeout(stall);
			stall = setTimeout(() => xhr.abort(), stallTimeoutMs);
		};
		const done = (exchange: OssExchange) => {
			clearTimeout(stall);
			signal?.removeEventListener('abort', onAbort);
			resolve(exchange);
		};
		const onAbort = () => {
			clearTimeout(stall);
			xhr.abort();
			reject(signal!.reason);
		};
		signal?.addEventListener('abort', onAbort, {once: true});
		xhr.open(method, url);
		for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
		xhr.upload.onprogress = (event) => {
			armStall();
			onUploadProgress?.(event.loaded);
		};
		xhr.onprogress = armStall;
		xhr.onload = () =>
			done({
				status: xhr.status,
				header: (name) => xhr.getResponseHeader(name) ?? undefined,
				text: xhr.responseText,
			});
		xhr.onerror = xhr.ontimeout = () => done({status: 0, header: () => undefined, text: ''});
		xhr.onabort = () => {
			if (!signal?.aborted) done({status: 0, header: () => undefined, text: ''}); // Our stall timer fired.
		};
		armStall();
		xhr.send((body ?? null) as XMLHttpRequestBodyInit | null);
	});
}

async function sendFetch({method, url, headers, body, signal, onUploadProgress, stallTimeoutMs = 120_000}: OssRequest): Promise<OssExchange> {
	const timeout = AbortSignal.timeout(stallTimeoutMs);
	try {
		const response = await fetch(url, {method, headers, body: (body ?? null) as BodyInit | null, signal: signal ? AbortSignal.any([signal, timeout]) : timeout});
		const text = await response.text();
		if (body !== undefined) onUploadProgress?.(typeof body === 'string' ? body.length : body instanceof Blob ? body.size : body.byteLength);
		return {status: response.status, header: (name) => response.headers.get(name) ?? undefined, text};
	} catch (error) {
		signal?.throwIfAborted();
		return {status: 0, header: () => undefined, text: error instanceof Error ? error.message : ''};
	}
}
