/**
How the client talks to the proxy. The default sends JSON over `fetch` through ky, with retries (backoff and
jitter) on network errors, 5xx (which includes transient TOP errors: the proxy answers them with 503) and 429.
Mini-app adapters provide their own `Transport`.
@module
*/
import ky, {isHTTPError, isNetworkError, isTimeoutError} from 'ky';
import {ProxyError} from '../errors/proxy-error.js';
import {isObject, readTopAnswer, stringOr} from '../top/response.js';

/** What the proxy adds beside TOP's answer. */
export type ProxyMeta = {
	/** The proxy's clock, epoch ms. */
	serverTime?: number;
	/** Issued with a secToken. */
	grant?: {value: string; expiresAt: number};
};

/** One call's outcome: TOP's success object and the proxy's meta. */
export type CallResult = {answer: Record<string, unknown>; meta: ProxyMeta; receivedAt: number; sentAt: number};

/** Sends one TOP call through the proxy. Throws `TopError` or `ProxyError`. */
export type Transport = (request: {method: string; params: Record<string, string | number>; grant?: string | undefined}, options: {signal?: AbortSignal}) => Promise<CallResult>;

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
	/** Upper bound of one backoff delay in ms. @default 4000 */
	backoffLimitMs?: number;
};

const RETRY_STATUSES = [429, 500, 502, 503, 504];

/** A `ProxyError` raised on the client's side (`topsec.bad-response` unless said otherwise). */
export const proxyError = (message: string, status: number, subCode = 'topsec.bad-response', cause?: unknown) => new ProxyError(message, {status, subCode}, {cause});

/** Reads a proxy answer body into a {@link CallResult}, throwing the typed error it stands for. */
export function readProxyAnswer(method: string, status: number, body: unknown, sentAt: number, retryAfter?: string | null): CallResult {
	if (!isObject(body)) throw proxyError('The proxy answered no JSON object', status);
	const error = body['error_response'];
	if (isObject(error) && stringOr(error['sub_code'])?.startsWith('topsec.')) {
		const seconds = Number(retryAfter);
		throw new ProxyError(stringOr(error['sub_msg']) ?? String(error['msg']), {
			status,
			subCode: error['sub_code'] as string,
			requestId: stringOr(error['request_id']),
			retryAfterSeconds: seconds > 0 ? seconds : undefined,
		});
	}
	if (status >= 400 && !isObject(error)) throw proxyError(`The proxy answered HTTP ${status}`, status);
	const answer = readTopAnswer(method, body, status);
	if (!answer) throw proxyError(`The proxy answered no \`${method}\` result`, status);
	return {answer, meta: (isObject(body['topsec']) ? body['topsec'] : {}) as ProxyMeta, receivedAt: Date.now(), sentAt};
}

/**
The default transport: `POST <proxy>` with `{method, params, grant}` as JSON, through ky.
@example
```
const client = createClient({identity, transport: createFetchTransport({proxy: 'https://api.example.com/top', retries: 5})});
```
*/
export function createFetchTransport(options: FetchTransportOptions): Transport {
	const {proxy, timeoutMs = 15_000, retries = 3, backoffLimitMs = 4000} = options;
	const api = ky.create({
		...(options.fetch && {fetch: options.fetch}),
		timeout: timeoutMs,
		// Throw (and so retry) only on the statuses worth retrying; other errors are answers to read. The proxy sends
		// transient TOP failures (isp.*, 7/8/10/15) as 503, so they are retried here too.
		throwHttpErrors: (status) => RETRY_STATUSES.includes(status),
		retry: {limit: retries, methods: ['post'], statusCodes: RETRY_STATUSES, backoffLimit: backoffLimitMs, jitter: true, retryOnTimeout: true},
	});
	return async ({method, params, grant}, {signal}) => {
		const sentAt = Date.now();
		let response: Response;
		let body: unknown;
		try {
			response = await api.post(proxy, {json: {method, params, grant}, signal});
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
