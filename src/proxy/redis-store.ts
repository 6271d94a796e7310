/**
A {@link RateLimitStore} in Redis, so every proxy instance counts against the same limits. It takes any client with
an `eval(script, numKeys, ...args)` method returning a promise (ioredis as is; node-redis through a two-line
wrapper), so `topsec/proxy` itself depends on no Redis library.
@module
*/
import type {RateLimitCount, RateLimitStore} from './rate-limit.js';

/** The one Redis command the store needs. ioredis's `Redis` and `Cluster` fit as they are. */
export type RedisEvalClient = {
	eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
};

/** Options of {@link createRedisRateLimitStore}. */
export type RedisRateLimitStoreOptions = {
	/**
	Prepended to every key (after the proxy's own `rateLimits.prefix`), e.g. to keep apps apart in one database.
	@default ''
	*/
	prefix?: string;
};

/**
One atomic step on the server: count the call, start the window on the first one (or when a key somehow has no
expiry), and answer the count with the milliseconds left. INCR and PEXPIRE run inside one script, so no other
client sees a counter without its expiry, and concurrent instances are all counted.
*/
export const FIXED_WINDOW_SCRIPT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/**
A fixed-window {@link RateLimitStore} in Redis.
@example
```
import {Redis} from 'ioredis';
import {createProxy, createRedisRateLimitStore} from 'topsec/proxy';

const redis = new Redis(process.env.TOPSEC_REDIS_URL!, {enableOfflineQueue: false, maxRetriesPerRequest: 1});
createProxy({appKey, appSecret, rateLimits: {perIp: {limit: 120, windowMs: 60_000}, store: createRedisRateLimitStore(redis)}});
```
*/
export function createRedisRateLimitStore(client: RedisEvalClient, options: RedisRateLimitStoreOptions = {}): RateLimitStore {
	if (typeof client !== 'object' || client === null || typeof client.eval !== 'function') throw new TypeError('`client` must be a Redis client with an `eval` method (e.g. ioredis)');
	const prefix = options.prefix ?? '';
	if (typeof prefix !== 'string') throw new TypeError('`prefix` must be a string');
	return {
		async hit(key, windowMs): Promise<RateLimitCount> {
			const reply = await client.eval(FIXED_WINDOW_SCRIPT, 1, prefix + key, Math.max(1, Math.ceil(windowMs)));
			if (!Array.isArray(reply) || reply.length !== 2) throw new TypeError('unexpected reply from the rate limit script');
			const [count, resetMs] = reply.map(Number) as [number, number];
			if (!Number.isFinite(count) || !Number.isFinite(resetMs)) throw new TypeError('unexpected reply from the rate limit script');
			return {count, resetMs};
		},
	};
}
