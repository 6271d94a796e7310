/**
Calling TOP: add the system params, sign, POST the form to the gateway, and classify what comes back. Failures are
{@link Refusal}s (502 unavailable or bad response, 504 timeout); a TOP answer, error or not, is returned as is.
@module
*/
import {responseKey} from '../top/response.js';
import {sendableParams, signTopParams, type SignMethod} from '../top/sign.js';
import {readLimited} from './body.js';
import {Refusal} from './respond.js';

/** What the upstream call needs from the proxy's options. */
export type UpstreamConfig = {
	gateway: string;
	appKey: string;
	appSecret: string;
	signMethod: SignMethod;
	fetch: typeof fetch;
	timeoutMs: number;
};

/** One call to make: the TOP method, business params, and the optional TOP `session`. */
export type UpstreamCall = {method: string; params: Readonly<Record<string, string | number>>; session: string | undefined};

/** TOP's answer: the raw JSON text (passed through byte for byte) and its parsed form. */
export type TopAnswer = {text: string; body: Record<string, unknown>};

// A TOP answer for the seed APIs is a few KB; anything near this is not TOP.
const MAX_ANSWER_BYTES = 1024 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Settles like `promise`, or rejects as soon as `signal` aborts, so a `fetch` that ignores its signal cannot hang the proxy. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		// Always subscribe, so a late rejection of `promise` is handled (settling twice is a no-op).
		promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, {once: true});
	});
}

/**
The form body sent to TOP: business params (numbers as strings), system params `method, app_key, timestamp, v,
sign_method, format` (and `session`), and `sign`, encoded as `application/x-www-form-urlencoded` in UTF-8.
@example
```
await signedForm(config, {method: 'taobao.top.sec.token.get', params: {open_id: 'o1'}, session: undefined}, '2026-01-01 08:00:00');
```
*/
export async function signedForm(config: UpstreamConfig, call: UpstreamCall, timestamp: string): Promise<URLSearchParams> {
	const params: Record<string, string | number | undefined> = {
		...call.params,
		method: call.method,
		app_key: config.appKey,
		timestamp,
		v: '2.0',
		sign_method: config.signMethod,
		format: 'json',
		session: call.session,
	};
	const entries = sendableParams(params);
	entries.push(['sign', await signTopParams(params, config.appSecret, config.signMethod)]);
	return new URLSearchParams(entries);
}

/**
Signs and sends `call` to the gateway. Aborts after `timeoutMs` (504 `topsec.upstream-timeout`) or when `signal`
(the caller's request) aborts (499 `topsec.client-closed`); network errors and HTTP 5xx are 502
`topsec.upstream-unavailable`; redirects, non-JSON and JSON that is not a TOP answer are 502
`topsec.upstream-bad-response`.
@example
```
const {text, body} = await callTop(config, call, formatTopTime(Date.now()), request.signal);
```
*/
export async function callTop(config: UpstreamConfig, call: UpstreamCall, timestamp: string, signal: AbortSignal): Promise<TopAnswer> {
	const body = await signedForm(config, call, timestamp);
	const controller = new AbortController();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort(new Refusal(504, 'topsec.upstream-timeout', `gateway did not answer within ${config.timeoutMs} ms`));
	}, config.timeoutMs);
	const onCallerAbort = () => controller.abort(new Refusal(499, 'topsec.client-closed', 'the caller went away'));
	if (signal.aborted) onCallerAbort();
	else signal.addEventListener('abort', onCallerAbort, {once: true});

	let text: string;
	try {
		const response = await abortable(
			config.fetch(config.gateway, {
				method: 'POST',
				headers: {'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json'},
				body: body.toString(),
				// A redirect from the gateway is never followed: the signed form must not travel elsewhere.
				redirect: 'manual',
				signal: controller.signal,
			}),
			controller.signal,
		);
		if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
			response.body?.cancel().catch(() => {});
			throw new Refusal(502, 'topsec.upstream-bad-response', `gateway answered with a redirect (HTTP ${response.status})`);
		}
		if (response.status >= 500) {
			response.body?.cancel().catch(() => {});
			throw new Refusal(502, 'topsec.upstream-unavailable', `gateway answered HTTP ${response.status}`);
		}
		const bytes = await abortable(readLimited(response.body, MAX_ANSWER_BYTES), controller.signal);
		if (!bytes) throw new Refusal(502, 'topsec.upstream-bad-response', 'gateway answer is too large');
		text = new TextDecoder().decode(bytes);
	} catch (error) {
		if (error instanceof Refusal) throw error;
		if (timedOut) throw controller.signal.reason as Refusal;
		if (signal.aborted) throw new Refusal(499, 'topsec.client-closed', 'the caller went away');
		throw new Refusal(502, 'topsec.upstream-unavailable', 'gateway is unreachable');
	} finally {
		clearTimeout(timer);
		signal.removeEventListener('abort', onCallerAbort);
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new Refusal(502, 'topsec.upstream-bad-response', 'gateway answer is not JSON');
	}
	if (!isObject(parsed) || !(isObject(parsed['error_response']) || isObject(parsed[responseKey(call.method)]))) {
		throw new Refusal(502, 'topsec.upstream-bad-response', 'gateway answer is not a TOP answer');
	}
	return {text, body: parsed};
}
