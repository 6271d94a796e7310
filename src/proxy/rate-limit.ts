/**
Rate limits per identity and per client IP: fixed-window counters kept in a {@link RateLimitStore} (in memory by
default, Redis for several proxy instances), the client address as the runtime reports it (a forwarded header only
when `trustProxy` says so), and the option checks. Web APIs only.
@module
*/

/** At most `limit` calls per `windowMs`. */
export type RateLimitRule = {
	/** Calls allowed in one window (a positive integer). */
	limit: number;
	/** Window length in ms (a positive integer). */
	windowMs: number;
};

/** What a store answers for one counted call. */
export type RateLimitCount = {
	/** Calls counted in the current window, this one included. */
	count: number;
	/** Milliseconds until the current window ends (and the count starts over). */
	resetMs: number;
};

/**
Where the counters live. `hit` counts one call against `key` in a fixed window of `windowMs` that starts with the
key's first call, and must be atomic: two instances counting at once must both be counted. Keys are short (the
prefix, `ip:` or `id:`, and an address or an identity digest) and never hold a secret.
@example
```
const store: RateLimitStore = createRedisRateLimitStore(new Redis(process.env.TOPSEC_REDIS_URL));
```
*/
export type RateLimitStore = {
	hit(key: string, windowMs: number): RateLimitCount | Promise<RateLimitCount>;
};

/** What the proxy knows about a request beyond the `Request` itself, as the runtime adapter reports it. */
export type ProxyRequestInfo = {
	/** The peer address of the connection (the Node adapter passes `req.socket.remoteAddress`). */
	clientIp?: string | undefined;
};

/** The `rateLimits` option of `createProxy`. */
export type RateLimitsOptions = {
	/**
	Calls per identity: the identity of a valid grant, else the `open_id`/`oeid`/`ieid` params of the call. Calls
	with neither (a gettoken without a valid grant, refused anyway) are not counted here.
	@example
	```
	perIdentity: {limit: 30, windowMs: 60_000}
	```
	*/
	perIdentity?: RateLimitRule;
	/**
	Calls per client IP (IPv6 counted per `ipv6Subnet`), counted before the body is read, so floods of bad requests
	are limited too. Calls whose IP is unknown are not counted here.
	*/
	perIp?: RateLimitRule;
	/**
	Where counters live. Give every instance the same shared store (Redis) so a limit holds across all of them.
	@default createMemoryRateLimitStore() (per process, on the proxy's `now` clock)
	*/
	store?: RateLimitStore;
	/**
	The client IP of a request. `info.clientIp` is what the runtime adapter saw (the socket's peer). Use it on
	runtimes that report the client in a header of their own.
	@default the forwarded address when `trustProxy` is set, else `info.clientIp`
	@example
	```
	ip: (request) => request.headers.get('cf-connecting-ip') ?? undefined // Cloudflare Workers
	```
	*/
	ip?: (request: Request, info: ProxyRequestInfo) => string | undefined;
	/**
	How many reverse proxies you run in front of this one, each appending the address it saw to
	`X-Forwarded-For`. The client is then the entry that many places from the right; entries further left were
	written by the client and are never used. `true` means 1. Leave it unset when nothing sits in front: a client
	could otherwise pick any IP it likes.
	@default false (X-Forwarded-For is ignored)
	*/
	trustProxy?: boolean | number;
	/**
	IPv6 clients are counted per prefix of this many bits, since one subscriber usually holds a whole /64.
	@default 64
	*/
	ipv6Subnet?: number;
	/**
	Prefix of every counter key, to share one store between several apps.
	@default 'topsec:rl:'
	*/
	prefix?: string;
	/**
	How long to wait for the store; a store that is slower (or fails) lets the call through (see `failClosed`).
	@default 1000
	*/
	storeTimeoutMs?: number;
	/**
	Refuse calls (503 `topsec.rate-limit-unavailable`) while the store fails, instead of letting them through.
	@default false
	*/
	failClosed?: boolean;
	/** Told about every store failure or timeout (to log it). Exceptions it throws are ignored. */
	onStoreError?: (error: unknown) => void;
};

/** `rateLimits` after validation. Internal. */
export type NormalizedRateLimits = {
	perIdentity: RateLimitRule | undefined;
	perIp: RateLimitRule | undefined;
	store: RateLimitStore;
	ip: ((request: Request, info: ProxyRequestInfo) => string | undefined) | undefined;
	trustHops: number;
	ipv6Subnet: number;
	prefix: string;
	storeTimeoutMs: number;
	failClosed: boolean;
	onStoreError: ((error: unknown) => void) | undefined;
};

/** Options of {@link createMemoryRateLimitStore}. */
export type MemoryRateLimitStoreOptions = {
	/**
	Most counters kept; past it the oldest are dropped (their callers start over), so memory stays bounded
	whatever the traffic.
	@default 100_000
	*/
	maxKeys?: number;
	/**
	The clock, epoch ms.
	@default Date.now
	*/
	now?: () => number;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
A {@link RateLimitStore} in this process's memory: right for one instance (and the default). Expired counters are
swept as new ones come in, and there are never more than `maxKeys`.
@example
```
createProxy({appKey, appSecret, rateLimits: {perIp: {limit: 120, windowMs: 60_000}, store: createMemoryRateLimitStore({maxKeys: 10_000})}});
```
*/
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
	const maxKeys = options.maxKeys ?? 100_000;
	if (!(Number.isInteger(maxKeys) && maxKeys > 0)) throw new TypeError('`maxKeys` must be a positive integer');
	const now = options.now ?? Date.now;
	// Insertion order is window-start order (a renewed key is re-inserted), so expired counters gather at the front.
	const counters = new Map<string, {count: number; resetAt: number}>();
	return {
		hit(key, windowMs) {
			let time: number;
			try {
				time = now();
			} catch {
				time = Number.NaN;
			}
			// A broken clock must not freeze a counter: fall back to the host's.
			if (typeof time !== 'number' || !Number.isFinite(time)) time = Date.now();
			let swept = 0;
			for (const [oldest, counter] of counters) {
				if (counter.resetAt > time || swept++ >= 16) break;
				counters.delete(oldest);
			}
			let counter = counters.get(key);
			if (!counter || counter.resetAt <= time) {
				counters.delete(key);
				while (counters.size >= maxKeys) counters.delete(counters.keys().next().value!);
				counter = {count: 0, resetAt: time + windowMs};
				counters.set(key, counter);
			}
			counter.count++;
			return {count: counter.count, resetMs: counter.resetAt - time};
		},
	};
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The 8 hextets of an IPv6 address (embedded IPv4 allowed, zone id dropped), or `undefined` when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
	let address = text.split('%', 1)[0]!;
	if (!/^[0-9a-f:.]{2,45}$/.test(address)) return undefined;
	let tail: number[] = [];
	const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
	if (v4) {
		if (!IPV4.test(v4[2]!)) return undefined;
		const [a, b, c, d] = v4[2]!.split('.').map(Number) as [number, number, number, number];
		tail = [(a << 8) | b, (c << 8) | d];
		address = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
	}
	const halves = address.split('::');
	if (halves.length > 2) return undefined;
	const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : Number.NaN)));
	const left = parse(halves[0]!);
	const right = halves.length === 2 ? parse(halves[1]!) : [];
	if ([...left, ...right].some(Number.isNaN)) return undefined;
	const missing = 8 - left.length - right.length - tail.length;
	if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
	return [...left, ...Array<number>(Math.max(0, missing)).fill(0), ...right, ...tail];
}

/**
The counter key of an address: IPv4 as is (also when IPv4-mapped), IPv6 cut to its first `subnetBits` bits.
`undefined` for anything that is not an IP address (with an optional port), so junk cannot mint fresh counters.
@example
```
ipKey('::ffff:203.0.113.9', 64); // '203.0.113.9'
ipKey('2001:db8:1:2:3:4:5:6', 64); // '2001:db8:1:2/64'
```
*/
export function ipKey(value: string | undefined, subnetBits = 64): string | undefined {
	if (typeof value !== 'string') return undefined;
	let text = value.trim().toLowerCase();
	const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
	if (bracketed) text = bracketed[1]!;
	else if (/^[\d.]+:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
	if (IPV4.test(text)) return text;
	const groups = ipv6Groups(text);
	if (!groups) return undefined;
	if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
		return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
	}
	const kept = groups.slice(0, Math.ceil(subnetBits / 16)).map((group, index) => {
		const bits = Math.min(16, subnetBits - index * 16);
		return group & (0xffff << (16 - bits)) & 0xffff;
	});
	return `${kept.map((group) => group.toString(16)).join(':')}/${subnetBits}`;
}

/**
The client address of a request: with `trustHops` > 0 the `X-Forwarded-For` entry `trustHops` places from the right
(falling back to `peer` when the header is shorter), else `peer`.
*/
export function forwardedClientIp(request: Request, peer: string | undefined, trustHops: number): string | undefined {
	if (trustHops <= 0) return peer;
	const header = request.headers.get('x-forwarded-for');
	if (header === null) return peer;
	const entries = header.split(',').map((entry) => entry.trim());
	return entries.length >= trustHops ? entries[entries.length - trustHops] : peer;
}

function rule(value: unknown, name: string): RateLimitRule | undefined {
	if (value === undefined) return undefined;
	if (!isObject(value)) throw new TypeError(`\`${name}\` must be an object {limit, windowMs}`);
	const {limit, windowMs} = value;
	if (!(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0)) throw new TypeError(`\`${name}.limit\` must be a positive integer`);
	if (!(typeof windowMs === 'number' && Number.isSafeInteger(windowMs) && windowMs > 0)) throw new TypeError(`\`${name}.windowMs\` must be a positive integer (ms)`);
	return Object.freeze({limit, windowMs});
}

/** Validates the `rateLimits` option (a `TypeError` names the bad field) and applies defaults; the default store runs on `now`. */
export function normalizeRateLimits(value: unknown, now: () => number = Date.now): NormalizedRateLimits | undefined {
	if (value === undefined) return undefined;
	if (!isObject(value)) throw new TypeError('`rateLimits` must be an object');
	const perIdentity = rule(value['perIdentity'], 'rateLimits.perIdentity');
	const perIp = rule(value['perIp'], 'rateLimits.perIp');
	const store = value['store'] ?? createMemoryRateLimitStore({now});
	if (!isObject(store) || typeof store['hit'] !== 'function') throw new TypeError('`rateLimits.store` must be a RateLimitStore (an object with a `hit` method)');
	const ip = value['ip'];
	if (ip !== undefined && typeof ip !== 'function') throw new TypeError('`rateLimits.ip` must be a function');
	const trust = value['trustProxy'] ?? false;
	if (!(typeof trust === 'boolean' || (typeof trust === 'number' && Number.isInteger(trust) && trust >= 0 && trust <= 16))) {
		throw new TypeError('`rateLimits.trustProxy` must be a boolean or the number of proxies in front (0–16)');
	}
	const ipv6Subnet = value['ipv6Subnet'] ?? 64;
	if (!(typeof ipv6Subnet === 'number' && Number.isInteger(ipv6Subnet) && ipv6Subnet >= 1 && ipv6Subnet <= 128)) throw new TypeError('`rateLimits.ipv6Subnet` must be an integer from 1 to 128');
	const prefix = value['prefix'] ?? 'topsec:rl:';
	if (typeof prefix !== 'string' || prefix.length > 64) throw new TypeError('`rateLimits.prefix` must be a string of at most 64 characters');
	const storeTimeoutMs = value['storeTimeoutMs'] ?? 1000;
	if (!(typeof storeTimeoutMs === 'number' && Number.isFinite(storeTimeoutMs) && storeTimeoutMs > 0)) throw new TypeError('`rateLimits.storeTimeoutMs` must be a positive number');
	const onStoreError = value['onStoreError'];
	if (onStoreError !== undefined && typeof onStoreError !== 'function') throw new TypeError('`rateLimits.onStoreError` must be a function');
	return {
		perIdentity,
		perIp,
		store: store as RateLimitStore,
		ip: ip as NormalizedRateLimits['ip'],
		trustHops: trust === true ? 1 : trust === false ? 0 : trust,
		ipv6Subnet,
		prefix,
		storeTimeoutMs,
		failClosed: value['failClosed'] === true,
		onStoreError: onStoreError as NormalizedRateLimits['onStoreError'],
	};
}

/** The outcome of counting one call: let it through, or refuse it for `retryAfterSeconds`. */
export type RateVerdict = {limited: false} | {limited: true; retryAfterSeconds: number} | {limited: 'unavailable'};

/** Counts calls against the configured rules. */
export type RateLimiter = {
	/** The counter key of the request's client IP, or `undefined` when it is unknown. */
	ipOf(request: Request, info: ProxyRequestInfo | undefined): string | undefined;
	/** Counts one call of the IP `ip` (from {@link RateLimiter.ipOf}). */
	hitIp(ip: string | undefined): Promise<RateVerdict>;
	/** Counts one call of the identity digest `id`. */
	hitIdentity(id: string | undefined): Promise<RateVerdict>;
};

/** Builds the per-request limiter for validated options. */
export function createRateLimiter(config: NormalizedRateLimits): RateLimiter {
	const report = (error: unknown) => {
		try {
			config.onStoreError?.(error);
		} catch {}
	};
	const count = async (key: string, windowMs: number): Promise<RateLimitCount | undefined> => {
		let timer: ReturnType<typeof setTimeout> | undefined;
		try {
			return await Promise.race([
				Promise.resolve().then(() => config.store.hit(key, windowMs)),
				new Promise<never>((_, reject) => {
					timer = setTimeout(() => reject(new Error(`rate limit store did not answer within ${config.storeTimeoutMs} ms`)), config.storeTimeoutMs);
				}),
			]);
		} catch (error) {
			report(error);
			return undefined;
		} finally {
			clearTimeout(timer);
		}
	};
	const hit = async (kind: string, value: string | undefined, rule: RateLimitRule | undefined): Promise<RateVerdict> => {
		if (!rule || value === undefined) return {limited: false};
		const result = await count(`${config.prefix}${kind}:${value}`, rule.windowMs);
		const valid = result && Number.isFinite(result.count) && Number.isFinite(result.resetMs);
		if (!valid) {
			if (result) report(new TypeError('rate limit store answered something that is not a {count, resetMs}'));
			return config.failClosed ? {limited: 'unavailable'} : {limited: false};
		}
		if (result.count <= rule.limit) return {limited: false};
		// Whole seconds, at least 1: `Retry-After: 0` would invite an instant retry that is refused again.
		return {limited: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.min(result.resetMs, rule.windowMs) / 1000))};
	};
	return {
		ipOf(request, info) {
			if (!config.perIp) return undefined;
			const peer = typeof info?.clientIp === 'string' ? info.clientIp : undefined;
			let raw: string | undefined;
			try {
				raw = config.ip ? config.ip(request, {clientIp: peer}) : forwardedClientIp(request, peer, config.trustHops);
			} catch {
				raw = undefined;
			}
			return ipKey(raw, config.ipv6Subnet);
		},
		hitIp: (ip) => hit('ip', ip, config.perIp),
		hitIdentity: (id) => hit('id', id, config.perIdentity),
	};
}
