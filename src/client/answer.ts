/**
The client's side of the wire protocol (docs/PROTOCOL.md): what a transport returns, and reading a proxy answer into
it or into the typed error it stands for. No HTTP here, so transports that do not use ky (mini-apps) share it.
@module
*/
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

