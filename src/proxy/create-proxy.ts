/**
`createProxy`: the signing proxy as a Web-standard fetch handler `(Request) => Promise<Response>`. It uses only
Web APIs (fetch, URL, crypto.subtle, streams), so the same handler runs on Node, Deno and Cloudflare Workers.
@module
*/
import {SEC_TOKEN_METHOD} from '../top/apis.js';
import {responseKey, topErrorAction} from '../top/response.js';
import {formatTopTime} from '../top/time.js';
import {corsHeaders, createOriginPolicy, PREFLIGHT_HEADERS} from './cors.js';
import {createGrants, identityDigest, type GrantClaims} from './grant.js';
import {normalizeProxyOptions, type AuthorizeContext, type ProxyLogEntry, type ProxyOptions} from './options.js';
import {createRateLimiter, type ProxyRequestInfo, type RateVerdict} from './rate-limit.js';
import {errorBody, newRequestId, Refusal, respond} from './respond.js';
import {callTop, type TopAnswer} from './upstream.js';
import {checkCall, isJsonContentType, parseCall, readBodyText} from './validate.js';

/**
The proxy: a fetch handler. `info` carries what the runtime knows beyond the request (the client's address, for
per-IP rate limits); the Node adapter passes it, elsewhere pass it yourself or use `rateLimits.ip`.
*/
export type ProxyHandler = (request: Request, info?: ProxyRequestInfo) => Promise<Response>;

const IDENTITY_PARAMS = ['open_id', 'oeid', 'ieid'];

/** What the proxy adds beside TOP's answer. */
type TopsecInfo = {serverTime: number; grant?: {value: string; expiresAt: number}};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** TOP's `expire_time` (seconds) as a number, when the answer has a usable one. */
function expireSeconds(value: unknown): number | undefined {
	const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
	return Number.isFinite(seconds) ? seconds : undefined;
}

/** TOP's JSON text with `"topsec": {…}` added as the last member, leaving every byte TOP sent (big numbers too) as it was. */
function withTopsec(answer: TopAnswer, topsec: TopsecInfo): string {
	const text = answer.text.trimEnd();
	if (!text.endsWith('}')) return JSON.stringify({...answer.body, topsec});
	return `${text.slice(0, -1)},"topsec":${JSON.stringify(topsec)}}`;
}

/** Turns a rate limit verdict into the refusal it stands for. */
function enforce(verdict: RateVerdict, what: string): void {
	if (verdict.limited === 'unavailable') throw new Refusal(503, 'topsec.rate-limit-unavailable', 'rate limits cannot be checked right now; retry shortly', {'retry-after': '1'});
	if (verdict.limited) {
		const seconds = String(verdict.retryAfterSeconds);
		throw new Refusal(429, 'topsec.rate-limited', `too many calls ${what}; retry in ${seconds} s`, {'retry-after': seconds});
	}
}

/**
Creates the signing proxy. Options are validated here, once (a `TypeError` names the bad option); the returned
handler answers `POST` with `{method, params, grant?}` JSON by calling TOP with the app's signature, and never
throws: every failure becomes a TOP-shaped `error_response` with a `topsec.*` sub code (docs/PROTOCOL.md).
@example
```
import {createProxy} from 'topsec/proxy';

const proxy = createProxy({
	appKey: env.TOP_APP_KEY,
	appSecret: env.TOP_APP_SECRET,
	allowOrigins: ['https://shop.example.com'],
});
export default {fetch: (request: Request) => proxy(request)}; // Cloudflare Workers, Deno.serve, Bun.serve
```
*/
export function createProxy(options: ProxyOptions): ProxyHandler {
	const config = normalizeProxyOptions(options);
	const checkOrigin = createOriginPolicy(config.allowOrigins);
	const grants = createGrants(config.grantKeys, config.appSecret);
	const limiter = config.rateLimits ? createRateLimiter(config.rateLimits) : undefined;
	// A broken clock must not take the proxy down: fall back to the host's.
	const now = () => {
		try {
			const value = config.now();
			if (typeof value === 'number' && Number.isFinite(value)) return value;
		} catch {}
		return Date.now();
	};

	/** Checks the grant rule (with the `authorize` hook), and answers with 403 when it fails. */
	async function authorizeCall(context: AuthorizeContext, grantFailure: string | undefined): Promise<void> {
		const verdict = config.authorize ? await config.authorize(context) : undefined;
		if (verdict === true) return;
		if (verdict === false) throw new Refusal(403, 'topsec.unauthorized', 'the caller is not authorized for this method');
		if (!config.grantRequired.has(context.method)) return;
		if (grantFailure === 'topsec.grant-missing') throw new Refusal(403, grantFailure, 'this method needs the grant issued with a secToken');
		if (grantFailure === 'topsec.grant-expired') throw new Refusal(403, grantFailure, 'the grant has expired; get a new secToken');
		if (grantFailure !== undefined) throw new Refusal(403, 'topsec.grant-invalid', 'the grant is not valid');
	}

	/** A grant for a successful secToken answer, or `undefined`. `id` is the caller's identity digest. */
	async function grantFor(method: string, id: () => Promise<string>, body: Record<string, unknown>) {
		if (method !== SEC_TOKEN_METHOD || isObject(body['error_response'])) return undefined;
		const answer = body[responseKey(method)];
		if (!isObject(answer) || typeof answer['sec_token'] !== 'string' || answer['sec_token'] === '') return undefined;
		const issuedAt = now();
		const seconds = expireSeconds(answer['expire_time']);
		const expiresAt = Math.floor(Math.min(issuedAt + config.grantTtlMs, seconds === undefined ? Number.POSITIVE_INFINITY : issuedAt + seconds * 1000));
		return expiresAt > issuedAt ? {value: await grants.issue(await id(), expiresAt), expiresAt} : undefined;
	}

	/** Whom a call counts against: its identity params when it has them (secToken), else its valid grant's identity. */
	async function identityOf(params: Readonly<Record<string, string | number>>, id: () => Promise<string>, claims: GrantClaims | undefined): Promise<string | undefined> {
		if (IDENTITY_PARAMS.some((name) => params[name] !== undefined && params[name] !== '')) return id();
		return claims?.id;
	}

	async function handle(request: Request, info: ProxyRequestInfo | undefined, entry: ProxyLogEntry, cors: Record<string, string> | undefined): Promise<Response> {
		if (request.method === 'OPTIONS') return respond(204, null, cors ? {...cors, ...PREFLIGHT_HEADERS} : {allow: 'POST, OPTIONS'});
		if (request.method !== 'POST') throw new Refusal(405, 'topsec.http-method', 'use POST', {allow: 'POST, OPTIONS'});
		// Per IP before the body is read, so a flood of junk costs little and is limited too.
		if (limiter) enforce(await limiter.hitIp(limiter.ipOf(request, info)), 'from this address');
		if (!isJsonContentType(request.headers.get('content-type'))) throw new Refusal(400, 'topsec.bad-request', 'Content-Type must be application/json');

		const call = parseCall(await readBodyText(request, config.maxBodyBytes));
		entry.method = call.method.slice(0, 128);
		checkCall(call, config.apis);
		const params = Object.freeze(call.params);
		// The identity digest (a Web Crypto job) is computed at most once per call: for the per-identity rate limit and
		// for the grant of a secToken.
		let digest: Promise<string> | undefined;
		const id = () => (digest ??= identityDigest(params));

		let claims: GrantClaims | undefined;
		let grantFailure: string | undefined = 'topsec.grant-missing';
		if (call.grant !== undefined) {
			const check = await grants.verify(call.grant, now());
			if (check.ok) claims = check.claims;
			grantFailure = check.ok ? undefined : check.subCode;
		}
		const context: AuthorizeContext = {request, method: call.method, params, grant: claims};

		if (limiter && config.rateLimits!.perIdentity) enforce(await limiter.hitIdentity(await identityOf(params, id, claims)), 'for this identity');
		const wait = config.rateLimit ? await config.rateLimit(context) : undefined;
		if (typeof wait === 'number' && Number.isFinite(wait)) {
			const seconds = Math.max(0, Math.ceil(wait));
			throw new Refusal(429, 'topsec.rate-limited', `too many calls; retry in ${seconds} s`, {'retry-after': String(seconds)});
		}
		await authorizeCall(context, grantFailure);
		const session = config.session ? await config.session(context) : undefined;
		if (session !== undefined && typeof session !== 'string') throw new TypeError('the `session` hook must return a string or undefined');

		// A secToken's grant needs the digest: start it now, so it is ready when TOP answers instead of after.
		if (call.method === SEC_TOKEN_METHOD) id().catch(() => {});
		const started = performance.now();
		let answer: TopAnswer;
		try {
			answer = await callTop(config, {method: call.method, params, session: session || undefined}, formatTopTime(now()), request.signal);
		} finally {
			entry.upstreamMs = Math.round(performance.now() - started);
		}

		const error = answer.body['error_response'];
		const root = isObject(error) ? error : answer.body[responseKey(call.method)];
		if (isObject(root) && typeof root['request_id'] === 'string') entry.requestId = root['request_id'];
		if (isObject(error) && typeof error['sub_code'] === 'string') entry.subCode = error['sub_code'];

		const grant = await grantFor(call.method, id, answer.body);
		// A transient TOP failure (isp.*, codes 7/8/10/15) goes out as 503 with TOP's body, so every HTTP client —
		// ky's retry, a mini-app's request wrapper, a CDN — treats it as the retryable error it is.
		const transient = isObject(error) && topErrorAction(Number(error['code']), typeof error['sub_code'] === 'string' ? error['sub_code'] : undefined) === 'retry';
		return respond(transient ? 503 : 200, withTopsec(answer, grant ? {serverTime: now(), grant} : {serverTime: now()}), cors);
	}

	return async function topsecProxy(request: Request, info?: ProxyRequestInfo): Promise<Response> {
		const origin = request.headers.get('origin') ?? undefined;
		const entry: ProxyLogEntry = {time: Date.now(), origin, method: undefined, status: 0, subCode: undefined, upstreamMs: undefined, requestId: undefined};
		let cors: Record<string, string> | undefined;
		let response: Response;
		try {
			entry.time = now();
			const verdict = checkOrigin(request);
			if (!verdict.allowed) throw new Refusal(403, 'topsec.origin-forbidden', 'this origin may not call the proxy');
			cors = verdict.corsOrigin === undefined ? undefined : corsHeaders(verdict.corsOrigin);
			response = await handle(request, info, entry, cors);
		} catch (error) {
			// Anything that is not a deliberate refusal (a throwing hook, a bug) is a bare 500: no message, no stack.
			const refusal = error instanceof Refusal ? error : new Refusal(500, 'topsec.internal', 'internal error');
			entry.requestId = newRequestId();
			entry.subCode = refusal.subCode;
			response = respond(refusal.status, errorBody(refusal, entry.requestId, now()), refusal.headers, cors);
		}
		entry.status = response.status;
		try {
			config.log?.(entry);
		} catch {
			// A failing logger must not break the answer.
		}
		return response;
	};
}
