/**
The gateway's checks, in the real gateway's order: encoding, method, app key, signature present, timestamp, version,
format, sign method, signature, then the API's business params.
@module
*/
import {timingSafeEqual} from 'node:crypto';
import {checkParams, type ApiSpec} from '../../top/apis.js';
import {isSignMethod, signTopParams} from '../../top/sign.js';
import {parseTopTime} from '../../top/time.js';
import {gatewayError, invalidArguments, missingArguments, type GatewayError} from './top-errors.js';

/** Params the gateway itself reads; everything else is a business param of the API. */
export const SYSTEM_PARAMS: ReadonlySet<string> = new Set(['method', 'app_key', 'timestamp', 'v', 'sign_method', 'sign', 'format', 'session', 'simplify', 'partner_id', 'target_app_key']);

/** Splits received params into business params (a plain object) and the rest. */
export function businessParams(params: Record<string, string>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(params)) if (!SYSTEM_PARAMS.has(name)) out[name] = value;
	return out;
}

/** What the checks need to know about the emulator. */
export type ValidationContext = {
	/** `app_key` → secret. */
	apps: Readonly<Record<string, string>>;
	/** The spec of a method; `null` for a method answered by a custom responder (params not checked); `undefined` when unknown. */
	apiSpec(method: string): ApiSpec | null | undefined;
	/** The emulator's clock (epoch ms). */
	now: number;
	/** Largest accepted timestamp skew (ms). */
	maxSkewMs: number;
};

/** TOP timestamps are `yyyy-MM-dd HH:mm:ss` (UTC+8); newer official SDKs (Java) send epoch milliseconds instead. */
function parseTimestamp(text: string): number | undefined {
	if (/^\d{13}$/.test(text)) return Number(text);
	return parseTopTime(text);
}

function sameSignature(given: string, expected: string): boolean {
	const a = Buffer.from(given.toUpperCase());
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks a request's params; resolves the `error_response` to answer, or `undefined` when the call may proceed. */
export async function validateTopRequest(params: Record<string, string>, badEncoding: boolean, context: ValidationContext): Promise<GatewayError | undefined> {
	if (badEncoding) return gatewayError(47, 'isv.invalid-encoding', 'Params must be UTF-8 encoded');

	const method = params['method'];
	if (!method) return gatewayError(21);
	const spec = context.apiSpec(method);
	if (spec === undefined) return gatewayError(22);

	const appKey = params['app_key'];
	if (!appKey) return gatewayError(28);
	if (!Object.hasOwn(context.apps, appKey)) return gatewayError(29, 'isv.appkey-not-exists');
	const secret = context.apps[appKey]!;

	const sign = params['sign'];
	if (!sign) return gatewayError(24);

	const timestamp = params['timestamp'];
	if (!timestamp) return gatewayError(30);
	const sentAt = parseTimestamp(timestamp);
	if (sentAt === undefined) return gatewayError(31, undefined, 'Timestamp must be yyyy-MM-dd HH:mm:ss in UTC+8');
	if (Math.abs(sentAt - context.now) > context.maxSkewMs) return gatewayError(31, undefined, 'Timestamp is too far from the server time');

	const version = params['v'];
	if (!version) return gatewayError(32);
	if (!/^\d+(\.\d+)*$/.test(version)) return gatewayError(33);
	if (version !== '2.0') return gatewayError(34);

	const format = params['format'];
	if (format && format !== 'json' && format !== 'xml') return gatewayError(23);

	// Missing sign_method means md5, as the first TOP SDKs assumed.
	const signMethod = params['sign_method'] || 'md5';
	if (!isSignMethod(signMethod)) return gatewayError(25, undefined, 'Unsupported sign_method; use md5, hmac or hmac-sha256');
	// signTopParams leaves `sign` and empty values out, exactly like the canonical string the client signed.
	if (!sameSignature(sign, await signTopParams(params, secret, signMethod))) return gatewayError(25);

	if (spec === null) return undefined;
	const problem = checkParams(spec, businessParams(params), true);
	if (problem === undefined) return undefined;
	return problem.kind === 'missing' ? missingArguments(problem.param, problem.message) : invalidArguments(problem.param, problem.message);
}
