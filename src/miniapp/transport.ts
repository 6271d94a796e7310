/**
The client's {@link Transport} over `my.request` / `wx.request`: the same JSON `POST` as the fetch transport, with
retries on network failures, 429, 5xx and retryable TOP errors.
@module
*/
import {readProxyAnswer, type CallResult, type Transport} from '../client/answer.js';
import {ProxyError} from '../errors/proxy-error.js';
import {isTopError} from '../errors/top-error.js';
import {topErrorAction} from '../top/response.js';
import {describeFailure, settle} from './call.js';
import {backoffMs, sleep} from '../shared/timing.js';
import type {MiniappRequestApi, MiniappResponse} from './types.js';

/** Options of {@link createMiniappTransport}. */
export type MiniappTransportOptions = {
	/** Absolute `https://` URL of the topsec proxy (mini-programs have no page origin to resolve against). Its host must be on the request domain allowlist. */
	proxy: string;
	/** Per-attempt timeout in ms. @default 15000 */
	timeoutMs?: number;
	/** Retries after the first attempt. @default 3 */
	retries?: number;
};

const RETRY_STATUSES = [429, 500, 502, 503, 504];
// A Retry-After longer than this is not waited for: the error goes to the caller.
const MAX_RETRY_AFTER_MS = 10_000;

const header = (response: MiniappResponse, name: string): string | undefined => {
	for (const headers of [response.header, response.headers]) {
		if (!headers) continue;
		for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return String(value);
	}
	return undefined;
};

/**
A {@link Transport} over `my.request` (Alipay, Taobao) or `wx.request` (WeChat): `POST <proxy>` with
`{method, params, grant}` as JSON. Network failures, 429, 5xx and retryable TOP errors (`isp.*`, 7/8/10/15) are
retried with backoff; a `signal` aborts the request task.
@example
```
import {createClient} from 'topsec';
import {createMiniappStorage, createMiniappTransport} from 'topsec/miniapp';

const client = createClient({
	identity: {openId},
	transport: createMiniappTransport(my, {proxy: 'https://api.example.com/top'}),
	storage: createMiniappStorage(my),
});
```
*/
export function createMiniappTransport(api: MiniappRequestApi, options: MiniappTransportOptions): Transport {
	if (typeof api?.request !== 'function') throw new TypeError('`api` must be the mini-program global (`my` or `wx`) with `request`');
	if (typeof options !== 'object' || options === null) throw new TypeError('The `options` argument must be an object');
	const {proxy, timeoutMs = 15_000, retries = 3} = options;
	if (typeof proxy !== 'string' || !/^https?:\/\/[^/\s]+/i.test(proxy)) throw new TypeError('`proxy` must be an absolute http(s) URL (mini-programs have no page origin)');
	if (!(timeoutMs > 0)) throw new TypeError('`timeoutMs` must be a positive number');
	if (!(Number.isInteger(retries) && retries >= 0)) throw new TypeError('`retries` must be a whole number ≥ 0');
	const headers = {'content-type': 'application/json'};

	const attempt = async (method: string, body: string, signal: AbortSignal | undefined): Promise<{result: CallResult} | {retryAfterMs: number; error: unknown}> => {
		const sentAt = Date.now();
		const outcome = await settle<MiniappResponse>(
			(success, fail) => api.request({url: proxy, method: 'POST', data: body, header: headers, headers, dataType: 'json', timeout: timeoutMs, success, fail}),
			signal,
		);
		// Alipay calls `fail` for a non-2xx status (error 19), with the answer when the runtime has it.
		const response: MiniappResponse | undefined = outcome.ok ? outcome.value : outcome.failure.status || outcome.failure.statusCode ? outcome.failure : undefined;
		if (!response) {
			const error = new ProxyError(`The proxy could not be reached: ${describeFailure(outcome.ok ? {} : outcome.failure)}`, {status: 0, subCode: 'topsec.network'}, {cause: outcome.ok ? undefined : outcome.failure});
			return {retryAfterMs: -1, error};
		}
		const status = response.statusCode ?? response.status ?? 0;
		let data = response.data;
		if (typeof data === 'string') {
			try {
				data = JSON.parse(data);
			} catch {}
		}
		const retryAfter = header(response, 'retry-after');
		try {
			return {result: readProxyAnswer(method, status, data, sentAt, retryAfter)};
		} catch (error) {
			const seconds = Number(retryAfter);
			if (RETRY_STATUSES.includes(status)) return {retryAfterMs: seconds > 0 ? seconds * 1000 : -1, error};
			if (isTopError(error) && topErrorAction(error.code, error.subCode) === 'retry') return {retryAfterMs: -1, error};
			throw error;
		}
	};

	return async ({method, params, grant}, {signal} = {}) => {
		const body = JSON.stringify(grant ? {method, params, grant} : {method, params});
		for (let tries = 0; ; tries++) {
			const outcome = await attempt(method, body, signal);
			if ('result' in outcome) return outcome.result;
			if (tries >= retries || outcome.retryAfterMs > MAX_RETRY_AFTER_MS) throw outcome.error;
			await sleep(outcome.retryAfterMs >= 0 ? outcome.retryAfterMs : backoffMs(tries), signal);
		}
	};
}
