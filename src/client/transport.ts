/**
How the client talks to the proxy. The default sends JSON over `fetch` through ky, with retries (backoff and
jitter) on network errors, 5xx (which includes transient TOP errors: the proxy answers them with 503) and 429.
Mini-app adapters provide their own `Transport`.
@module
*/
import ky, {isHTTPError, isNetworkError, isTimeoutError} from 'ky';
import {proxyError, readProxyAnswer, type Transport} from './answer.js';

/** Options of {@link createFetchTransport}. */
export type FetchTransportOptions = {
	/** Proxy URL, absolute or relative to the page. */
	proxy: string;
	/** @default globalThis.fetch */
	fetch?: typeof fetch;
	/** Per-attempt timeout in ms. @default 15000 */
	timeoutMs?: number;
	/** Retries after the first attempt. @default 3 */
	retries?: number;
};

const RETRY_STATUSES = [429, 500, 502, 503, 504];

/**
The default transport: `POST <proxy>` with `{method, params, grant}` as JSON, through ky.
@example
```
const client = createClient({identity, transport: createFetchTransport({proxy: 'https://api.example.com/top', retries: 5})});
```
*/
export function createFetchTransport(options: FetchTransportOptions): Transport {
	const {proxy, timeoutMs = 15_000, retries = 3} = options;
	return async ({method, params, grant}, {signal}) => {
		const sentAt = Date.now();
		let response: Response;
		let body: unknown;
		try {
			// The body goes in at fetch time, not on ky's Request: ky clones its Request before every attempt so it can
			// retry, and cloning a body tees it into a stream, which Chromium then uploads through a data pipe (~1.5 ms
			// a call, a quarter of a cold secToken on loopback; docs/performance.md). A bodyless clone is free; each
			// attempt sends the same string.
			const json = JSON.stringify({method, params, grant});
			// Options per call rather than a ky.create() instance: nothing of ky runs until the first call, so a page
			// that finds its secToken stored never pays for it.
			response = await ky.post(proxy, {
				headers: {'content-type': 'application/json'},
				signal,
				fetch: (request) => (options.fetch ?? fetch)(request as Request, {body: json}),
				timeout: timeoutMs,
				// Throw (and so retry) only on the statuses worth retrying; other errors are answers to read. The proxy sends
				// transient TOP failures (isp.*, 7/8/10/15) as 503, so they are retried here too.
				throwHttpErrors: (status) => RETRY_STATUSES.includes(status),
				// Backoff 0.3 s · 2^n with full jitter: 3 retries wait 2.1 s at most in all.
				retry: {limit: retries, methods: ['post'], statusCodes: RETRY_STATUSES, jitter: true, retryOnTimeout: true},
			});
			body = await response.json();
		} catch (error) {
			signal?.throwIfAborted();
			if (!isHTTPError(error)) {
				const [message, subCode] = isTimeoutError(error) ? ['timed out', 'topsec.timeout'] : isNetworkError(error) ? ['is unreachable', 'topsec.network'] : ['answered no JSON object'];
				throw proxyError(`The proxy ${message}`, 0, subCode, error);
			}
			// Retries are spent; ky has read the body into `data` already.
			response = error.response;
			body = error.data;
		}
		return readProxyAnswer(method, response.status, body, sentAt, response.headers.get('retry-after'));
	};
}
