/**
Proxy options from environment variables, for `topsec proxy` and for serverless functions. Takes the environment
as an argument (no `process` here), so it works with `process.env`, `Deno.env.toObject()` or a Worker's `env`.
@module
*/
import {isSignMethod, SIGN_METHODS} from '../top/sign.js';
import {assertOrigin} from './cors.js';
import {MIN_GRANT_KEY_LENGTH, type ProxyOptions} from './options.js';
import type {RateLimitRule, RateLimitsOptions} from './rate-limit.js';

/** Environment variables read by {@link proxyOptionsFromEnv}. */
export type ProxyEnv = Record<string, string | undefined>;

const value = (env: ProxyEnv, name: string): string | undefined => {
	const text = env[name]?.trim();
	return text ? text : undefined;
};

const list = (text: string | undefined): string[] | undefined =>
	text
		?.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');

const UNIT_MS: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** `<limit>/<window>` with the window in ms, s (the default), m or h: `30/60s`, `30/1m`, `1000/1h`. */
function rateRule(env: ProxyEnv, name: string): RateLimitRule | undefined {
	const text = value(env, name);
	if (text === undefined) return undefined;
	const match = /^(\d{1,9})\s*\/\s*(\d{1,9})\s*(ms|s|m|h)?$/i.exec(text);
	const limit = Number(match?.[1]);
	const windowMs = Number(match?.[2]) * (UNIT_MS[(match?.[3] ?? 's').toLowerCase()] ?? Number.NaN);
	if (!match || !(limit > 0) || !(windowMs > 0) || !Number.isSafeInteger(windowMs)) {
		throw new TypeError(`Environment variable \`${name}\` must be <limit>/<window>, e.g. 30/60s or 1000/1h`);
	}
	return {limit, windowMs};
}

/**
Builds {@link ProxyOptions} from environment variables:

| variable | option |
|---|---|
| `TOP_APP_KEY` (required) | `appKey` |
| `TOP_APP_SECRET` (required) | `appSecret` |
| `TOP_GATEWAY` | `gateway` |
| `TOP_SIGN_METHOD` | `signMethod` (`md5`, `hmac`, `hmac-sha256`) |
| `TOPSEC_ALLOW_ORIGINS` | `allowOrigins`, comma-separated |
| `TOPSEC_GRANT_KEYS` | `grantKeys`, comma-separated, newest first |
| `TOPSEC_RATE_LIMIT_IDENTITY` | `rateLimits.perIdentity`, as `<limit>/<window>` (`30/60s`, `30/1m`; ms, s, m, h) |
| `TOPSEC_RATE_LIMIT_IP` | `rateLimits.perIp`, same form |
| `TOPSEC_TRUST_PROXY` | `rateLimits.trustProxy`: how many reverse proxies sit in front (`0`–`16`, or `true` for 1) |

(`TOPSEC_REDIS_URL`, a Redis store shared by all instances, is read by `topsec proxy` itself, since it needs a
Redis client: see `createRedisRateLimitStore`.)

Empty variables count as unset. A missing or invalid variable throws a `TypeError` that names it and never
echoes a secret (an invalid origin is quoted, to help spot the typo).
@example
```
const proxy = createProxy({...proxyOptionsFromEnv(process.env), log: (entry) => console.log(JSON.stringify(entry))});
```
*/
export function proxyOptionsFromEnv(env: ProxyEnv): ProxyOptions {
	if (typeof env !== 'object' || env === null) throw new TypeError('The `env` argument must be an object');
	const appKey = value(env, 'TOP_APP_KEY');
	if (!appKey) throw new TypeError('Environment variable `TOP_APP_KEY` is required');
	const appSecret = value(env, 'TOP_APP_SECRET');
	if (!appSecret) throw new TypeError('Environment variable `TOP_APP_SECRET` is required');
	const options: ProxyOptions = {appKey, appSecret};

	const gateway = value(env, 'TOP_GATEWAY');
	if (gateway) {
		if (!/^https?:\/\/[^\s]+$/i.test(gateway) || !URL.canParse(gateway)) throw new TypeError('Environment variable `TOP_GATEWAY` must be an http(s) URL');
		options.gateway = gateway;
	}
	const signMethod = value(env, 'TOP_SIGN_METHOD');
	if (signMethod !== undefined) {
		if (!isSignMethod(signMethod)) throw new TypeError(`Environment variable \`TOP_SIGN_METHOD\` must be one of ${SIGN_METHODS.join(', ')}`);
		options.signMethod = signMethod;
	}
	const allowOrigins = list(value(env, 'TOPSEC_ALLOW_ORIGINS'));
	if (allowOrigins) {
		for (const origin of allowOrigins) assertOrigin(origin, 'TOPSEC_ALLOW_ORIGINS');
		options.allowOrigins = allowOrigins;
	}
	const grantKeys = list(value(env, 'TOPSEC_GRANT_KEYS'));
	if (grantKeys?.length) {
		if (grantKeys.some((key) => key.length < MIN_GRANT_KEY_LENGTH)) throw new TypeError(`Environment variable \`TOPSEC_GRANT_KEYS\` entries must be at least ${MIN_GRANT_KEY_LENGTH} characters long`);
		options.grantKeys = grantKeys;
	}
	const perIdentity = rateRule(env, 'TOPSEC_RATE_LIMIT_IDENTITY');
	const perIp = rateRule(env, 'TOPSEC_RATE_LIMIT_IP');
	const trust = value(env, 'TOPSEC_TRUST_PROXY');
	if (perIdentity || perIp || trust !== undefined) {
		const rateLimits: RateLimitsOptions = {};
		if (perIdentity) rateLimits.perIdentity = perIdentity;
		if (perIp) rateLimits.perIp = perIp;
		if (trust !== undefined) {
			const hops = /^true$/i.test(trust) ? 1 : /^false$/i.test(trust) ? 0 : /^\d{1,2}$/.test(trust) ? Number(trust) : Number.NaN;
			if (!(hops >= 0 && hops <= 16)) throw new TypeError('Environment variable `TOPSEC_TRUST_PROXY` must be the number of proxies in front (0–16), true or false');
			rateLimits.trustProxy = hops;
		}
		options.rateLimits = rateLimits;
	}
	return options;
}
