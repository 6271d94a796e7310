/**
Reading TOP answers: the success root name, `error_response`, and what a caller should do about an error.
@module
*/
import {TopError} from '../errors/top-error.js';

/** `taobao.top.sec.token.get` → `top_sec_token_get_response`. */
export function responseKey(method: string): string {
	return `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `TopError` for an `error_response` object. */
export function topErrorFrom(error: Record<string, unknown>, status?: number): TopError {
	const code = Number(error['code']);
	return new TopError({
		code: Number.isFinite(code) ? code : 0,
		msg: typeof error['msg'] === 'string' ? error['msg'] : 'Unknown error',
		subCode: typeof error['sub_code'] === 'string' ? error['sub_code'] : undefined,
		subMsg: typeof error['sub_msg'] === 'string' ? error['sub_msg'] : undefined,
		requestId: typeof error['request_id'] === 'string' ? error['request_id'] : undefined,
		status,
	});
}

/**
The success object of a TOP JSON answer for `method` (`{…}` under `<name>_response`). Throws {@link TopError} for an
`error_response`, and `undefined` is returned when the body has neither root (the caller decides what that means).
*/
export function readTopAnswer(method: string, body: unknown, status?: number): Record<string, unknown> | undefined {
	if (!isObject(body)) return undefined;
	const error = body['error_response'];
	if (isObject(error)) throw topErrorFrom(error, status);
	const answer = body[responseKey(method)];
	return isObject(answer) ? answer : undefined;
}

/** What to do about a TOP error. */
export type TopErrorAction = 'retry' | 'reauth' | 'fatal';

/**
DESIGN.md §5: retry network-like failures (`isp.*`, codes 7/8/10, 15 remote service error), re-authenticate on
session errors (26/27, token sub codes), everything else (25 signature, 21/22, 28/29, 40/41/43, `isv.*`) is fatal.
*/
export function topErrorAction(code: number, subCode?: string): TopErrorAction {
	if (subCode?.startsWith('isv.')) return 'fatal';
	if (code === 26 || code === 27 || (subCode !== undefined && /(^|\.)(session|token)[-.]/.test(subCode) && !subCode.startsWith('isp.'))) return 'reauth';
	if (code === 7 || code === 8 || code === 10 || code === 15 || subCode?.startsWith('isp.')) return 'retry';
	return 'fatal';
}
