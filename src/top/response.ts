/**
Reading TOP answers: the success root name, `error_response`, and what a caller should do about an error.
@module
*/
import {TopError} from '../errors/top-error.js';

/** `taobao.top.sec.token.get` → `top_sec_token_get_response`. */
export const responseKey = (method: string): string => `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`;

/** Whether `value` is a plain (non-array) object. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` when it is a string, else `undefined`. */
export const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The `TopError` for an `error_response` object. */
export function topErrorFrom(error: Record<string, unknown>, status?: number): TopError {
	return new TopError({
		code: Number(error['code']) || 0,
		msg: stringOr(error['msg']) ?? 'Unknown error',
		subCode: stringOr(error['sub_code']),
		subMsg: stringOr(error['sub_msg']),
		requestId: stringOr(error['request_id']),
		status,
	});
}

/**
The success object of a TOP JSON answer for `method` (`{…}` under `<name>_response`). Throws {@link TopError} for an
`error_response`, and `undefined` is returned when the body has neither root (the caller decides what that means).
*/
export function readTopAnswer(method: string, body: unknown, status?: number): Record<string, unknown> | undefined {
	if (!isObject(body)) return undefined;
	if (isObject(body['error_response'])) throw topErrorFrom(body['error_response'], status);
	const answer = body[responseKey(method)];
	return isObject(answer) ? answer : undefined;
}

/** What to do about a TOP error. */
export type TopErrorAction = 'retry' | 'reauth' | 'fatal';

/**
DESIGN.md §5: retry network-like failures (`isp.*`, codes 7/8/10, 15 remote service error), re-authenticate on
session errors (26/27, token sub codes), everything else (25 signature, 21/22, 28/29, 40/41/43, `isv.*`) is fatal.
*/
export function topErrorAction(code: number, subCode = ''): TopErrorAction {
	if (isReauthError(code, subCode)) return 'reauth';
	return !subCode.startsWith('isv.') && ([7, 8, 10, 15].includes(code) || subCode.startsWith('isp.')) ? 'retry' : 'fatal';
}

/** Whether a TOP error means "the session or token is no good: authenticate again" (26/27, session/token sub codes). */
export const isReauthError = (code: number, subCode = ''): boolean =>
	!subCode.startsWith('isv.') && (code === 26 || code === 27 || (/(^|\.)(session|token)[-.]/.test(subCode) && !subCode.startsWith('isp.')));
