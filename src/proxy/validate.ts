/**
From request to a checked call: Content-Type, body size, JSON, the `{method, params, grant}` shape, the method
allowlist and the API's param spec. Every failure is a {@link Refusal}; nothing here talks to TOP.
@module
*/
import {checkParams, type ApiSpec} from '../top/apis.js';
import {readLimited} from './body.js';
import {Refusal} from './respond.js';

/** A call as the client asked for it, after shape checks. */
export type ProxyCall = {
	method: string;
	/** Null-prototype object of the business params. */
	params: Record<string, string | number>;
	grant: string | undefined;
};

const TOP_LEVEL_KEYS = new Set(['method', 'params', 'grant']);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_SHOWN = 64;

const show = (text: string) => (text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a `Content-Type` is JSON in UTF-8 (`application/json`, optionally with `charset=utf-8`). */
export function isJsonContentType(header: string | null): boolean {
	if (header === null) return false;
	const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
	if (type !== 'application/json') return false;
	return parameters.every((parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter));
}

/**
The request body as text, read with a hard cap: a `Content-Length` over `maxBytes` is refused without reading, a
stream that runs past it is cancelled. Bytes that are not UTF-8 count as bad JSON.
*/
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
	const tooLarge = () => new Refusal(413, 'topsec.body-too-large', `body is larger than ${maxBytes} bytes`);
	const declared = request.headers.get('content-length');
	if (declared !== null && Number(declared) > maxBytes) {
		request.body?.cancel().catch(() => {});
		throw tooLarge();
	}
	const bytes = await readLimited(request.body, maxBytes);
	if (!bytes) throw tooLarge();
	try {
		return new TextDecoder('utf-8', {fatal: true}).decode(bytes);
	} catch {
		throw new Refusal(400, 'topsec.bad-json', 'body is not UTF-8 JSON');
	}
}

/** Parses and shape-checks the body: an object with a string `method`, an optional `params` object and `grant` string. */
export function parseCall(text: string): ProxyCall {
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		throw new Refusal(400, 'topsec.bad-json', 'body is not JSON');
	}
	if (!isObject(body)) throw new Refusal(400, 'topsec.bad-request', 'body must be a JSON object');
	for (const key of Object.keys(body)) {
		if (!TOP_LEVEL_KEYS.has(key)) throw new Refusal(400, 'topsec.bad-request', `unknown key \`${show(key)}\`; expected method, params, grant`);
	}
	const {method, params = {}, grant} = body;
	if (typeof method !== 'string' || method === '') throw new Refusal(400, 'topsec.bad-request', '`method` must be a non-empty string');
	if (!isObject(params)) throw new Refusal(400, 'topsec.bad-request', '`params` must be an object');
	if (grant !== undefined && typeof grant !== 'string') throw new Refusal(400, 'topsec.bad-request', '`grant` must be a string');

	// JSON.parse makes `__proto__` an own data property; copying into a null-prototype object keeps it inert.
	const clean: Record<string, string | number> = Object.create(null);
	for (const [name, value] of Object.entries(params)) {
		if (FORBIDDEN_KEYS.has(name)) throw new Refusal(400, 'topsec.param-unknown', `unknown param \`${name}\``);
		if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) clean[name] = value;
		else throw new Refusal(400, 'topsec.param-type', `param \`${show(name)}\` must be a string or a number`);
	}
	return {method, params: clean, grant};
}

/** Refuses a method outside the allowlist (404) or params that do not fit its spec (400, `sub_msg` naming the field). */
export function checkCall(call: ProxyCall, apis: Readonly<Record<string, ApiSpec>>): void {
	const spec = Object.hasOwn(apis, call.method) ? apis[call.method] : undefined;
	if (!spec) throw new Refusal(404, 'topsec.method-not-allowed', `method \`${show(call.method)}\` is not allowed`);
	const problem = checkParams(spec, call.params);
	if (problem) {
		const message = problem.kind === 'unknown' ? `unknown param \`${show(problem.param)}\`` : problem.message;
		throw new Refusal(400, `topsec.param-${problem.kind}`, message);
	}
}
