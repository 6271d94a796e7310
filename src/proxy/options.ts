/**
The proxy's options: the public {@link ProxyOptions} type, and `normalizeProxyOptions`, which validates them once
(misconfiguration throws a `TypeError` naming the option) and fills in defaults, so the per-request path never
looks at raw options again.
@module
*/
import {OSS_TOKEN_METHOD, SEED_APIS, type ApiSpec} from '../top/apis.js';
import {isSignMethod, SIGN_METHODS, type SignMethod} from '../top/sign.js';
import {assertOrigin} from './cors.js';
import type {GrantClaims} from './grant.js';
import {normalizeRateLimits, type NormalizedRateLimits, type RateLimitsOptions} from './rate-limit.js';

/** What the {@link ProxyOptions.authorize}, {@link ProxyOptions.session} and {@link ProxyOptions.rateLimit} hooks see. */
export type AuthorizeContext = {
	/** The incoming request (its body is already consumed). */
	request: Request;
	/** The TOP method asked for; always one of the allowed `apis`. */
	method: string;
	/** The business params, already checked against the API's spec. */
	params: Record<string, string | number>;
	/** The claims of the caller's grant when it presented a valid one, else `undefined`. */
	grant: GrantClaims | undefined;
};

/** What the {@link ProxyOptions.session} hook sees (the same as {@link AuthorizeContext}). */
export type SessionContext = AuthorizeContext;

/**
One structured entry per request, given to {@link ProxyOptions.log}. It never carries the app secret, a grant
value, a `sec_token`, a TOP `session` or a signature.
*/
export type ProxyLogEntry = {
	/** When the request arrived (epoch ms, from the proxy's clock). */
	time: number;
	/** The request's `Origin` header, when it had one. */
	origin: string | undefined;
	/** The TOP method asked for, when the body got that far (truncated to 128 characters). */
	method: string | undefined;
	/** HTTP status of the proxy's answer. */
	status: number;
	/** The `sub_code` of the answer: a `topsec.*` code, or TOP's own for a passed-through `error_response`. */
	subCode: string | undefined;
	/** How long TOP took to answer (ms), when it was called. */
	upstreamMs: number | undefined;
	/** TOP's `request_id` for answers from TOP, the proxy's own for errors it raised. */
	requestId: string | undefined;
};

/** Options of {@link createProxy}. Only `appKey` and `appSecret` are required. */
export type ProxyOptions = {
	/** The TOP app key (`app_key`). */
	appKey: string;
	/** The TOP app secret. It never leaves the proxy: not in answers, errors, or log entries. */
	appSecret: string;
	/**
	The TOP gateway URL.
	@default 'https://gw.api.taobao.com/router/rest'
	*/
	gateway?: string;
	/**
	How requests to TOP are signed.
	@default 'hmac-sha256'
	*/
	signMethod?: SignMethod;
	/**
	Exact origins (`scheme://host[:port]`) whose pages may call the proxy through CORS. The proxy's own origin is
	always allowed; requests without an `Origin` (server to server) are allowed too. No wildcards.
	@default []
	@example
	```
	allowOrigins: ['https://shop.example.com', 'http://localhost:5173']
	```
	*/
	allowOrigins?: readonly string[];
	/**
	The TOP methods the proxy signs, with the spec their business params must fit.
	@default SEED_APIS (`taobao.top.sec.token.get`, `taobao.wdk.iot.wombat.common.gettoken`)
	*/
	apis?: Record<string, ApiSpec>;
	/**
	Methods that need a grant (the one the proxy issued with a secToken), unless `authorize` says `true`.
	@default ['taobao.wdk.iot.wombat.common.gettoken']
	*/
	grantRequired?: readonly string[];
	/**
	Keys for grants (at least 16 characters each): the first signs, all verify, so keys can be rotated by
	prepending a new one. Every proxy instance given the same keys accepts the others' grants.
	@default one key derived from `appSecret` (HMAC-SHA256(secret, "topsec-grant-v1"))
	*/
	grantKeys?: readonly string[];
	/**
	Longest life of a grant (ms); shortened to the secToken's own `expire_time` when TOP gives one.
	@default 7_200_000 (2 hours)
	*/
	grantTtlMs?: number;
	/**
	How long to wait for TOP (ms) before answering 504 `topsec.upstream-timeout`.
	@default 10_000
	*/
	timeoutMs?: number;
	/**
	Largest request body (bytes); larger ones get 413 `topsec.body-too-large` and are not read further.
	@default 16_384
	*/
	maxBodyBytes?: number;
	/**
	The `fetch` used to call TOP.
	@default globalThis.fetch
	*/
	fetch?: typeof fetch;
	/**
	The clock (epoch ms), for timestamps, grants and `serverTime`.
	@default Date.now
	*/
	now?: () => number;
	/**
	Decides whether a call may go ahead: `true` allows it (no grant needed), `false` refuses it with 403
	`topsec.unauthorized`, `undefined` leaves it to the grant rule. Use it for a site's own login session.
	@example
	```
	authorize: async ({request, method}) => (await isLoggedIn(request)) ? true : undefined
	```
	*/
	authorize?: (context: AuthorizeContext) => boolean | undefined | Promise<boolean | undefined>;
	/**
	Gives the TOP `session` (user access token) to send with a call, for APIs that need one; `undefined` sends none.
	@example
	```
	session: ({request}) => sessions.get(cookie(request, 'sid'))
	```
	*/
	session?: (context: SessionContext) => string | undefined | Promise<string | undefined>;
	/**
	Rate limit hook: return a number of seconds to refuse the call with 429 `topsec.rate-limited` and that
	`Retry-After`, or `undefined` to let it through. Runs after the body is validated and before the grant check.
	@example
	```
	const hits = new Map<string, {count: number; resetAt: number}>();
	rateLimit: ({request}) => {
		const key = request.headers.get('cf-connecting-ip') ?? 'all';
		const now = Date.now();
		const hit = hits.get(key);
		if (!hit || hit.resetAt <= now) return void hits.set(key, {count: 1, resetAt: now + 60_000});
		return ++hit.count > 30 ? Math.ceil((hit.resetAt - now) / 1000) : undefined;
	}
	```
	*/
	rateLimit?: (context: AuthorizeContext) => number | undefined | Promise<number | undefined>;
	/**
	Built-in rate limits per identity and per client IP, answered with 429 `topsec.rate-limited` and `Retry-After`.
	The per-IP count runs before the body is read; the per-identity one after the grant is checked (the identity of
	a valid grant, else the call's `open_id`/`oeid`/`ieid`). Counters live in `store` (memory by default; give all
	instances one Redis store with `createRedisRateLimitStore`). The client IP is the socket's peer as the adapter
	reports it; `X-Forwarded-For` is used only with `trustProxy`. The `rateLimit` hook still runs after these.
	@example
	```
	rateLimits: {perIdentity: {limit: 30, windowMs: 60_000}, perIp: {limit: 300, windowMs: 60_000}, trustProxy: 1}
	```
	*/
	rateLimits?: RateLimitsOptions;
	/** Receives one {@link ProxyLogEntry} per request. Exceptions it throws are ignored. */
	log?: (entry: ProxyLogEntry) => void;
};

/** The options after validation, with every default applied. Internal: never handed to user code. */
export type NormalizedProxyOptions = {
	appKey: string;
	appSecret: string;
	gateway: string;
	signMethod: SignMethod;
	allowOrigins: readonly string[];
	apis: Readonly<Record<string, ApiSpec>>;
	grantRequired: ReadonlySet<string>;
	grantKeys: readonly string[] | undefined;
	grantTtlMs: number;
	timeoutMs: number;
	maxBodyBytes: number;
	fetch: typeof fetch;
	now: () => number;
	authorize: ProxyOptions['authorize'];
	session: ProxyOptions['session'];
	rateLimit: ProxyOptions['rateLimit'];
	rateLimits: NormalizedRateLimits | undefined;
	log: ProxyOptions['log'];
};

/** The TOP gateway used when `gateway` is not given. */
export const DEFAULT_GATEWAY = 'https://gw.api.taobao.com/router/rest';

/** Shortest accepted grant key, in characters. */
export const MIN_GRANT_KEY_LENGTH = 16;

// Params the proxy sets itself; an API spec must not let callers supply them.
const SYSTEM_PARAMS = new Set(['method', 'app_key', 'timestamp', 'v', 'sign_method', 'sign', 'format', 'session', 'simplify', 'partner_id', 'target_app_key']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalFunction<T>(options: Record<string, unknown>, name: string): T | undefined {
	const value = options[name];
	if (value !== undefined && typeof value !== 'function') throw new TypeError(`\`${name}\` must be a function`);
	return value as T | undefined;
}

function positive(options: Record<string, unknown>, name: string, fallback: number, integer = false): number {
	const value = options[name] ?? fallback;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
		throw new TypeError(`\`${name}\` must be a positive ${integer ? 'integer' : 'number'}`);
	}
	return value;
}

function stringList(options: Record<string, unknown>, name: string): readonly string[] | undefined {
	const value = options[name];
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new TypeError(`\`${name}\` must be an array of strings`);
	return Object.freeze([...(value as string[])]);
}

function normalizeGateway(value: unknown): string {
	if (value === undefined) return DEFAULT_GATEWAY;
	let url: URL | undefined;
	try {
		url = typeof value === 'string' ? new URL(value) : undefined;
	} catch {}
	// The URL is not echoed: someone may have put credentials into it.
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new TypeError('`gateway` must be an absolute http(s) URL');
	if (url.username || url.password) throw new TypeError('`gateway` must not contain credentials');
	if (url.hash) throw new TypeError('`gateway` must not contain a fragment');
	return url.href;
}

function normalizeApis(value: unknown): Readonly<Record<string, ApiSpec>> {
	if (value === undefined) return SEED_APIS;
	if (!isObject(value)) throw new TypeError('`apis` must be an object of API specs');
	// Null prototype: a method called `constructor` or `__proto__` must not find anything.
	const apis: Record<string, ApiSpec> = Object.create(null);
	for (const [method, spec] of Object.entries(value)) {
		if (!isObject(spec) || !isObject(spec['params'])) throw new TypeError(`\`apis\` entry \`${method}\` must have a \`params\` object`);
		for (const [name, rule] of Object.entries(spec['params'])) {
			if (SYSTEM_PARAMS.has(name)) throw new TypeError(`\`apis\` entry \`${method}\` must not declare the system param \`${name}\``);
			if (!isObject(rule) || (rule['type'] !== 'string' && rule['type'] !== 'number')) {
				throw new TypeError(`\`apis\` entry \`${method}\` param \`${name}\` must have type 'string' or 'number'`);
			}
		}
		apis[method] = spec as ApiSpec;
	}
	return Object.freeze(apis);
}

/**
Validates `options` and applies defaults. Throws `TypeError` naming the option (never echoing a secret).
@example
```
const config = normalizeProxyOptions({appKey: '12345678', appSecret: process.env.TOP_APP_SECRET!});
```
*/
export function normalizeProxyOptions(options: ProxyOptions): NormalizedProxyOptions {
	if (!isObject(options)) throw new TypeError('The `options` argument must be an object');
	const raw = options as Record<string, unknown>;
	const {appKey, appSecret, signMethod = 'hmac-sha256'} = raw;
	if (typeof appKey !== 'string' || appKey.trim() === '') throw new TypeError('`appKey` is required and must be a non-empty string');
	if (typeof appSecret !== 'string' || appSecret === '') throw new TypeError('`appSecret` is required and must be a non-empty string');
	if (!isSignMethod(signMethod)) throw new TypeError(`\`signMethod\` must be one of ${SIGN_METHODS.map((m) => `'${m}'`).join(', ')}`);

	const allowOrigins = stringList(raw, 'allowOrigins') ?? [];
	for (const origin of allowOrigins) assertOrigin(origin, 'allowOrigins');

	const grantKeys = stringList(raw, 'grantKeys');
	if (grantKeys !== undefined) {
		if (grantKeys.length === 0) throw new TypeError('`grantKeys` must hold at least one key (or be left out)');
		if (grantKeys.some((key) => key.length < MIN_GRANT_KEY_LENGTH)) throw new TypeError(`\`grantKeys\` entries must be at least ${MIN_GRANT_KEY_LENGTH} characters long`);
	}

	const customFetch = optionalFunction<typeof fetch>(raw, 'fetch');
	const now = optionalFunction<() => number>(raw, 'now') ?? Date.now;
	return {
		appKey,
		appSecret,
		gateway: normalizeGateway(raw['gateway']),
		signMethod,
		allowOrigins,
		apis: normalizeApis(raw['apis']),
		grantRequired: new Set(stringList(raw, 'grantRequired') ?? [OSS_TOKEN_METHOD]),
		grantKeys,
		grantTtlMs: positive(raw, 'grantTtlMs', 2 * 60 * 60 * 1000),
		timeoutMs: positive(raw, 'timeoutMs', 10_000),
		maxBodyBytes: positive(raw, 'maxBodyBytes', 16_384, true),
		// Looked up per call, so a fetch installed (or mocked) after createProxy() is used.
		fetch: customFetch ?? ((input, init) => globalThis.fetch(input, init)),
		now,
		authorize: optionalFunction(raw, 'authorize'),
		session: optionalFunction(raw, 'session'),
		rateLimit: optionalFunction(raw, 'rateLimit'),
		rateLimits: normalizeRateLimits(raw['rateLimits'], now),
		log: optionalFunction(raw, 'log'),
	};
}
