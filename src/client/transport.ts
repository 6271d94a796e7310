/**
How the client talks to the proxy. The default sends JSON over `fetch` through ky, with retries (backoff and
jitter) on network errors, 5xx, 429 and retryable TOP errors. Mini-app adapters provide their own `Transport`.
@module
*/
import ky, {isHTTPError, isNetworkError, isTimeoutError} from 'ky';
import {ProxyError} from '../errors/proxy-error.js';
import {readTopAnswer, topErrorAction, topErrorFrom} from '../top/response.js';

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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a proxy answer body into a {@link CallResult}, throwing the typed error it stands for. */
export function readProxyAnswer(method: string, status: number, body: unknown, sentAt: number, retryAfter?: string | null): CallResult {
	const receivedAt = Date.now();
	if (!isObject(body)) throw new ProxyError('The proxy answered something that is not a JSON object', {status, subCode: 'topsec.bad-response'});
	const meta = (isObject(body['topsec']) ? body['topsec'] : {}) as ProxyMeta;
	const error = body['error_response'];
	if (isObject(error) && typeof error['sub_code'] === 'string' && error['sub_code'].startsWith('topsec.')) {
		const seconds = Number(retryAfter);
		throw new ProxyError(typeof error['sub_msg'] === 'string' ? error['sub_msg'] : String(error['msg'] ?? 'Proxy error'), {
			status,
			subCode: error['sub_code'],
			requestId: typeof error['request_id'] === 'string' ? error['request_id'] : undefined,
			retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
		});
	}
	if (status >= 400 && !isObject(error)) throw new ProxyError(`The proxy answered HTTP ${status}`, {status, subCode: 'topsec.bad-response'});
	const answer = readTopAnswer(method, body, status);
	if (!answer) throw new ProxyError(`The answer has no \`${method}\` result`, {status, subCode: 'topsec.bad-response'});
	return {answer, meta, receivedAt, sentAt};
}

/** Whether a TOP answer body holds an error worth retrying (isp.*, rate and availability codes). */
function retryableTopError(body: unknown): boolean {
	if (!isObject(body) || !isObject(body['error_response'])) return false;
	const error = topErrorFrom(body['error_response']);
	return !error.subCode?.startsWith('topsec.') && topErrorAction(error.code, error.subCode) === 'retry';
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
		...(options.fetch ? {fetch: options.fetch} : {}),
		timeout: timeoutMs,
		// Throw (and so retry) only on the statuses worth retrying; other errors are answers to read.
		throwHttpErrors: (status) => RETRY_STATUSES.includes(status),
		retry: {
			limit: retries,
			methods: ['post'],
			statusCodes: RETRY_STATUSES,
			backoffLimit: backoffLimitMs,
			jitter: true,
			retryOnTimeout: true,
		},
		hooks: {
			afterResponse: [
				async ({response}) => {
					// TOP answers its own failures with HTTP 200; retry the transient ones (isp.*, 7/8/10/15) too.
					if (response.ok && retryableTopError(await response.clone().json().catch(() => undefined))) return ky.retry({code: 'TOP_RETRYABLE'});
					return undefined;
				},
			],
		},
	});
	return async ({method, params, grant}, {signal}) => {
		const sentAt = Date.now();
		let response: Response;
		let body: unknown;
		try {
			response = await api.post(proxy, {json: grant ? {method, params, grant} : {method, params}, ...(signal ? {signal} : {})});
			body = await response.json();
		} catch (error) {
			signal?.throwIfAborted();
			if (isHTTPError(error)) {
				// Retries are spent; ky has read the body into `data` already.
				response = error.response;
				body = error.data;
			} else if (isTimeoutError(error)) {
				throw new ProxyError('The proxy did not answer in time', {status: 0, subCode: 'topsec.timeout'}, {cause: error});
			} else if (isNetworkError(error)) {
				throw new ProxyError('The proxy could not be reached', {status: 0, subCode: 'topsec.network'}, {cause: error});
			} else {
				throw new ProxyError('The proxy answered something that is not JSON', {status: 0, subCode: 'topsec.bad-response'}, {cause: error});
			}
		}
		return readProxyAnswer(method, response.status, body, sentAt, response.headers.get('retry-after'));
	};
}
