/**
One HTTP exchange with OSS, over XMLHttpRequest: the only browser API that reports upload progress inside a request
body over HTTP/1.1 (fetch's request streams need HTTP/2 in Chromium: `net::ERR_ALPN_NEGOTIATION_FAILED`). Pages and
WebViews have it; service workers and servers do not, and `upload` says so up front. (A `fetch` fallback for them
was dropped for the size budget: it was never exercised, and mini-apps upload through `topsec/miniapp`.)
@module
*/

/** What came back. `status` 0 means no answer (network error, dropped connection). */
export type OssExchange = {status: number; header(name: string): string | undefined; text: string};

/** One request. */
export type OssRequest = {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: Uint8Array | string | undefined;
	signal?: AbortSignal | undefined;
	/** Bytes of the body sent so far. */
	onUploadProgress?: ((sent: number) => void) | undefined;
	/** Give up on a request that shows no progress for this long. @default 120000 */
	stallTimeoutMs?: number | undefined;
};

/** Sends `request`; resolves with whatever answer came (any status), rejects only when `signal` aborts. */
export async function send({method, url, headers, body, signal, onUploadProgress, stallTimeoutMs = 120_000}: OssRequest): Promise<OssExchange> {
	signal?.throwIfAborted();
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		let stall: ReturnType<typeof setTimeout> | undefined;
		const armStall = () => {
			clearTimeout(stall);
			stall = setTimeout(() => xhr.abort(), stallTimeoutMs);
		};
		// Rejected before the abort, whose `loadend` then resolves nothing.
		const onAbort = () => {
			reject(signal!.reason);
			xhr.abort();
		};
		signal?.addEventListener('abort', onAbort, {once: true});
		xhr.open(method, url);
		for (const name in headers) xhr.setRequestHeader(name, headers[name]!);
		xhr.upload.onprogress = (event) => {
			armStall();
			onUploadProgress?.(event.loaded);
		};
		xhr.onprogress = armStall;
		// After a load, an error, a timeout or our stall abort alike: status 0, no headers and no text but after a load.
		xhr.onloadend = () => {
			clearTimeout(stall);
			signal?.removeEventListener('abort', onAbort);
			resolve({status: xhr.status, header: (name) => xhr.getResponseHeader(name) ?? undefined, text: xhr.responseText});
		};
		armStall();
		xhr.send((body ?? null) as XMLHttpRequestBodyInit | null);
	});
}
