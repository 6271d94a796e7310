// Rate limits (per identity, per IP, Retry-After, stores, trustProxy), grant binding and key rotation, env config.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {describe, test} from 'node:test';
import {createMemoryRateLimitStore, createProxy, createRedisRateLimitStore, proxyOptionsFromEnv, serveProxy, type ProxyOptions, type RateLimitStore} from '../src/proxy/index.js';
import {forwardedClientIp, ipKey} from '../src/proxy/rate-limit.js';
import {FIXED_WINDOW_SCRIPT} from '../src/proxy/redis-store.js';

const SECRET = 'rate-limit-test-secret-0123456789';
const SEC = 'taobao.top.sec.token.get';
const OSS = 'taobao.wdk.iot.wombat.common.gettoken';
const URL_ = 'https://proxy.example.com/top';
const seen: string[] = [];

function fakeTop() {
	const calls: URLSearchParams[] = [];
	const fetch = (async (_input: RequestInfo | URL, init: RequestInit = {}) => {
		const form = new URLSearchParams(init.body as string);
		calls.push(form);
		if (form.get('method') === SEC) return new Response(JSON.stringify({top_sec_token_get_response: {sec_token: `tok-${calls.length}`, expire_time: 7200, request_id: 'r'}}));
		return new Response(JSON.stringify({wdk_iot_wombat_common_gettoken_response: {result: {success: true, model: {access_key_id: 'STS.a', access_key_secret: 's'}}, request_id: 'r'}}));
	}) as typeof globalThis.fetch;
	return {fetch, calls};
}

function makeProxy(options: Partial<ProxyOptions> = {}) {
	const top = fakeTop();
	let time = Date.UTC(2026, 4, 1);
	const proxy = createProxy({appKey: '1', appSecret: SECRET, fetch: top.fetch, now: () => time, ...options});
	return {proxy, calls: top.calls, tick: (ms: number) => (time += ms)};
}

async function call(proxy: ReturnType<typeof createProxy>, body: unknown, {ip, headers = {}}: {ip?: string; headers?: Record<string, string>} = {}) {
	const request = new Request(URL_, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: JSON.stringify(body)});
	const response = await proxy(request, ip === undefined ? undefined : {clientIp: ip});
	const text = await response.text();
	seen.push(text, JSON.stringify([...response.headers]));
	return {status: response.status, retryAfter: response.headers.get('retry-after'), body: JSON.parse(text)};
}

const sec = (openId: string) => ({method: SEC, params: {open_id: openId}});

describe('memory store', () => {
	test('counts per key in fixed windows that start with the first call', () => {
		let time = 1000;
		const store = createMemoryRateLimitStore({now: () => time});
		assert.deepEqual(store.hit('a', 500), {count: 1, resetMs: 500});
		time += 100;
		assert.deepEqual(store.hit('a', 500), {count: 2, resetMs: 400});
		assert.deepEqual(store.hit('b', 500), {count: 1, resetMs: 500});
		time += 400;
		assert.deepEqual(store.hit('a', 500), {count: 1, resetMs: 500}, 'a new window');
	});

	test('memory stays bounded: never more than maxKeys counters', () => {
		let time = 0;
		const store = createMemoryRateLimitStore({now: () => time, maxKeys: 100});
		for (let i = 0; i < 10_000; i++) store.hit(`k${i}`, 60_000);
		// The newest keys are kept; the oldest were dropped (and start over).
		assert.equal((store.hit('k9999', 60_000) as {count: number}).count, 2);
		assert.equal((store.hit('k0', 60_000) as {count: number}).count, 1);
		time += 61_000;
		assert.equal((store.hit('k9999', 60_000) as {count: number}).count, 1);
	});

	test('rejects a bad maxKeys', () => {
		assert.throws(() => createMemoryRateLimitStore({maxKeys: 0}), /`maxKeys`/);
	});
});

describe('client IP', () => {
	test('ipKey normalizes IPv4, IPv4-mapped IPv6, ports and brackets; IPv6 per /64; junk is undefined', () => {
		assert.equal(ipKey('203.0.113.9'), '203.0.113.9');
		assert.equal(ipKey('::ffff:203.0.113.9'), '203.0.113.9');
		assert.equal(ipKey('203.0.113.9:4711'), '203.0.113.9');
		assert.equal(ipKey('[2001:db8::1]:443'), '2001:db8:0:0/64');
		assert.equal(ipKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2/64');
		assert.equal(ipKey('2001:DB8:1:2:ffff::9'), '2001:db8:1:2/64');
		assert.equal(ipKey('2001:db8:1:2:3:4:5:6', 48), '2001:db8:1/48');
		assert.equal(ipKey('2001:db8:1:2ff:3:4:5:6', 56), '2001:db8:1:200/56');
		assert.equal(ipKey('::1'), '0:0:0:0/64');
		assert.equal(ipKey('fe80::1%eth0'), 'fe80:0:0:0/64');
		for (const junk of ['', 'localhost', '999.1.1.1', '1.2.3', '1::2::3', 'x'.repeat(100), '12345::', ':::', '1.2.3.4.5', undefined]) {
			assert.equal(ipKey(junk), undefined, String(junk));
		}
	});

	test('X-Forwarded-For: ignored unless trusted, then the entry that many hops from the right', () => {
		const request = new Request(URL_, {headers: {'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2'}});
		assert.equal(forwardedClientIp(request, '10.0.0.1', 0), '10.0.0.1');
		assert.equal(forwardedClientIp(request, '10.0.0.1', 1), '10.0.0.2');
		assert.equal(forwardedClientIp(request, '10.0.0.1', 2), '203.0.113.9');
		assert.equal(forwardedClientIp(request, '10.0.0.1', 5), '10.0.0.1', 'shorter than the hops: the peer');
		assert.equal(forwardedClientIp(new Request(URL_), '10.0.0.1', 1), '10.0.0.1');
	});
});

describe('options', () => {
	const bad: Array<[string, unknown, RegExp]> = [
		['not an object', 5, /`rateLimits`/],
		['limit zero', {perIp: {limit: 0, windowMs: 1000}}, /`rateLimits.perIp.limit`/],
		['limit fraction', {perIdentity: {limit: 1.5, windowMs: 1000}}, /`rateLimits.perIdentity.limit`/],
		['window missing', {perIdentity: {limit: 1}}, /`rateLimits.perIdentity.windowMs`/],
		['store without hit', {perIp: {limit: 1, windowMs: 1}, store: {}}, /`rateLimits.store`/],
		['ip not a function', {ip: 'x'}, /`rateLimits.ip`/],
		['trustProxy string', {trustProxy: 'yes'}, /`rateLimits.trustProxy`/],
		['trustProxy negative', {trustProxy: -1}, /`rateLimits.trustProxy`/],
		['ipv6Subnet 0', {ipv6Subnet: 0}, /`rateLimits.ipv6Subnet`/],
		['storeTimeoutMs 0', {storeTimeoutMs: 0}, /`rateLimits.storeTimeoutMs`/],
	];
	for (const [name, rateLimits, message] of bad) {
		test(`TypeError: ${name}`, () => {
			assert.throws(() => createProxy({appKey: '1', appSecret: SECRET, rateLimits: rateLimits as never}), (error: unknown) => error instanceof TypeError && message.test(error.message) && !error.message.includes(SECRET));
		});
	}
});

describe('per identity', () => {
	test('the limit+1st call of an identity is 429 with Retry-After; other identities go on; upstream not called', async () => {
		const {proxy, calls} = makeProxy({rateLimits: {perIdentity: {limit: 3, windowMs: 10_000}}});
		for (let i = 0; i < 3; i++) assert.equal((await call(proxy, sec('alice'))).status, 200);
		const refused = await call(proxy, sec('alice'));
		assert.equal(refused.status, 429);
		assert.equal(refused.body.error_response.sub_code, 'topsec.rate-limited');
		assert.equal(refused.retryAfter, '10');
		assert.equal(typeof refused.body.topsec.serverTime, 'number');
		assert.equal(calls.length, 3);
		assert.equal((await call(proxy, sec('bob'))).status, 200);
	});

	test('a window ends: calls go through again', async () => {
		const {proxy, tick} = makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 50}}});
		assert.equal((await call(proxy, sec('carol'))).status, 200);
		assert.equal((await call(proxy, sec('carol'))).status, 429);
		tick(50);
		assert.equal((await call(proxy, sec('carol'))).status, 200);
	});

	test('gettoken counts against the identity bound into the grant (the same counter as its secToken calls)', async () => {
		const {proxy, calls} = makeProxy({rateLimits: {perIdentity: {limit: 3, windowMs: 60_000}}});
		const {body} = await call(proxy, {method: SEC, params: {open_id: 'dave', oeid: 'e1'}});
		const grant = body.topsec.grant.value as string;
		const claims = JSON.parse(Buffer.from(grant.split('.')[1]!, 'base64url').toString());
		assert.equal(claims.id, createHash('sha256').update('dave\ne1\n').digest('base64url').slice(0, 22), 'bound to the identity');
		assert.equal(claims.exp, Date.UTC(2026, 4, 1) + 7_200_000, 'and to an expiry');
		assert.equal((await call(proxy, {method: OSS, params: {merchant_code: 'm1'}, grant})).status, 200);
		assert.equal((await call(proxy, {method: OSS, params: {merchant_code: 'm2'}, grant})).status, 200);
		assert.equal((await call(proxy, {method: OSS, params: {merchant_code: 'm1'}, grant})).status, 429);
		assert.equal((await call(proxy, {method: SEC, params: {open_id: 'dave', oeid: 'e1'}})).status, 429);
		assert.equal(calls.length, 3);
		// Without a valid grant there is no identity to count; the grant rule refuses it anyway.
		assert.equal((await call(proxy, {method: OSS, params: {}, grant: 'v1.forged.x'})).status, 403);
	});
});

describe('per IP', () => {
	test('counts the address the adapter reports, before the body is read (bad requests count too)', async () => {
		const {proxy, calls} = makeProxy({rateLimits: {perIp: {limit: 2, windowMs: 30_000}}});
		assert.equal((await call(proxy, sec('a'), {ip: '203.0.113.9'})).status, 200);
		assert.equal((await call(proxy, {method: 'nope'}, {ip: '::ffff:203.0.113.9'})).status, 404);
		const refused = await call(proxy, sec('b'), {ip: '203.0.113.9'});
		assert.equal(refused.status, 429);
		assert.equal(refused.retryAfter, '30');
		assert.equal((await call(proxy, sec('c'), {ip: '198.51.100.1'})).status, 200);
		assert.equal(calls.length, 2);
	});

	test('IPv6 neighbours in one /64 share a counter', async () => {
		const {proxy} = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 30_000}}});
		assert.equal((await call(proxy, sec('a'), {ip: '2001:db8:1:2::1'})).status, 200);
		assert.equal((await call(proxy, sec('a'), {ip: '2001:db8:1:2:ffff::2'})).status, 429);
		assert.equal((await call(proxy, sec('a'), {ip: '2001:db8:1:3::1'})).status, 200);
	});

	test('X-Forwarded-For cannot dodge the limit unless trustProxy is set', async () => {
		const {proxy} = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 30_000}}});
		assert.equal((await call(proxy, sec('a'), {ip: '10.0.0.1', headers: {'x-forwarded-for': '1.1.1.1'}})).status, 200);
		assert.equal((await call(proxy, sec('a'), {ip: '10.0.0.1', headers: {'x-forwarded-for': '2.2.2.2'}})).status, 429);

		const behind = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 30_000}, trustProxy: 1}}).proxy;
		// The load balancer (10.0.0.1) appends the real client; what the client wrote further left is ignored.
		assert.equal((await call(behind, sec('a'), {ip: '10.0.0.1', headers: {'x-forwarded-for': '6.6.6.6, 203.0.113.9'}})).status, 200);
		assert.equal((await call(behind, sec('a'), {ip: '10.0.0.1', headers: {'x-forwarded-for': '7.7.7.7, 203.0.113.9'}})).status, 429);
		assert.equal((await call(behind, sec('a'), {ip: '10.0.0.1', headers: {'x-forwarded-for': '203.0.113.10'}})).status, 200);
	});

	test('an unknown IP (no adapter info) is not counted; the `ip` option can supply it', async () => {
		const {proxy} = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 30_000}}});
		for (let i = 0; i < 3; i++) assert.equal((await call(proxy, sec('a'))).status, 200);
		const cf = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 30_000}, ip: (request) => request.headers.get('cf-connecting-ip') ?? undefined}}).proxy;
		assert.equal((await call(cf, sec('a'), {headers: {'cf-connecting-ip': '203.0.113.5'}})).status, 200);
		assert.equal((await call(cf, sec('a'), {headers: {'cf-connecting-ip': '203.0.113.5'}})).status, 429);
	});

	test('the Node adapter passes the socket address, not a header', async () => {
		const {proxy} = makeProxy({rateLimits: {perIp: {limit: 2, windowMs: 30_000}}});
		const server = await serveProxy(proxy, {port: 0, host: '127.0.0.1'});
		try {
			const statuses: number[] = [];
			for (let i = 0; i < 4; i++) {
				const response = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/json', 'x-forwarded-for': `9.9.9.${i}`}, body: JSON.stringify(sec('n'))});
				statuses.push(response.status);
				const text = await response.text();
				seen.push(text);
				if (response.status === 429) assert.equal(response.headers.get('retry-after'), '30');
			}
			assert.deepEqual(statuses, [200, 200, 429, 429]);
		} finally {
			await server.close();
		}
	});
});

describe('stores', () => {
	test('a failing or hanging store lets calls through (fail open) and is reported', async () => {
		const errors: unknown[] = [];
		const failing: RateLimitStore = {hit: () => Promise.reject(new Error('redis down'))};
		const {proxy} = makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 1000}, store: failing, onStoreError: (error) => errors.push(error)}});
		assert.equal((await call(proxy, sec('a'))).status, 200);
		assert.equal((await call(proxy, sec('a'))).status, 200);
		assert.equal(errors.length, 2);

		const hanging: RateLimitStore = {hit: () => new Promise(() => {})};
		const slow = makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 1000}, store: hanging, storeTimeoutMs: 20, onStoreError: (error) => errors.push(error)}}).proxy;
		assert.equal((await call(slow, sec('a'))).status, 200);
		assert.match(String(errors.at(-1)), /within 20 ms/);

		const garbage: RateLimitStore = {hit: () => ({count: Number.NaN, resetMs: 1})};
		assert.equal((await call(makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 1000}, store: garbage}}).proxy, sec('a'))).status, 200);
	});

	test('failClosed: a failing store answers 503 with Retry-After, upstream not called', async () => {
		const {proxy, calls} = makeProxy({rateLimits: {perIp: {limit: 1, windowMs: 1000}, store: {hit: () => {
			throw new Error('down');
		}}, failClosed: true}});
		const result = await call(proxy, sec('a'), {ip: '203.0.113.1'});
		assert.equal(result.status, 503);
		assert.equal(result.body.error_response.sub_code, 'topsec.rate-limit-unavailable');
		assert.equal(result.retryAfter, '1');
		assert.equal(calls.length, 0);
	});

	test('Redis store: one EVAL of the INCR+PEXPIRE script per call, keys prefixed, reply read', async () => {
		const evals: unknown[][] = [];
		const client = {
			eval: async (...args: Array<string | number>) => {
				evals.push(args);
				return [evals.length, 999];
			},
		};
		const store = createRedisRateLimitStore(client, {prefix: 'app1:'});
		const {proxy} = makeProxy({rateLimits: {perIdentity: {limit: 2, windowMs: 60_000}, store}});
		assert.equal((await call(proxy, sec('a'))).status, 200);
		assert.equal((await call(proxy, sec('a'))).status, 200);
		const refused = await call(proxy, sec('a'));
		assert.equal(refused.status, 429);
		assert.equal(refused.retryAfter, '1', 'resetMs 999 → 1 s');
		assert.equal(evals[0]![0], FIXED_WINDOW_SCRIPT);
		assert.equal(evals[0]![1], 1);
		assert.match(String(evals[0]![2]), /^app1:topsec:rl:id:[A-Za-z0-9_-]{22}$/);
		assert.equal(evals[0]![3], 60_000);
		assert.match(FIXED_WINDOW_SCRIPT, /INCR[\s\S]*PEXPIRE/);
		assert.throws(() => createRedisRateLimitStore({} as never), /`client`/);
		await assert.rejects(Promise.resolve(createRedisRateLimitStore({eval: async () => 'OK'}).hit('k', 1)), /unexpected reply/);
	});
});

describe('the rateLimit hook still works beside rateLimits', () => {
	test('built-in limits first, then the hook', async () => {
		let hookCalls = 0;
		const {proxy} = makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 60_000}}, rateLimit: () => (++hookCalls === 1 ? undefined : 5)});
		assert.equal((await call(proxy, sec('a'))).status, 200);
		assert.equal((await call(proxy, sec('a'))).status, 429);
		assert.equal(hookCalls, 1, 'a call refused by the built-in limit does not reach the hook');
		const hooked = await call(proxy, sec('b'));
		assert.equal(hooked.status, 429);
		assert.equal(hooked.retryAfter, '5');
	});
});

describe('grants: expiry and key rotation', () => {
	test('during a rollover both keys are accepted; after it only the new one; an expired grant is refused', async () => {
		const oldKey = 'grant-key-old-0123456789abcdef';
		const newKey = 'grant-key-new-0123456789abcdef';
		const before = makeProxy({grantKeys: [oldKey]});
		const during = makeProxy({grantKeys: [newKey, oldKey]});
		const after = makeProxy({grantKeys: [newKey]});
		const grantOf = async (proxy: ReturnType<typeof createProxy>) => (await call(proxy, sec('rot'))).body.topsec.grant.value as string;
		const oldGrant = await grantOf(before.proxy);
		const newGrant = await grantOf(during.proxy);
		const gettoken = (grant: string) => ({method: OSS, params: {}, grant});
		assert.equal((await call(during.proxy, gettoken(oldGrant))).status, 200);
		assert.equal((await call(during.proxy, gettoken(newGrant))).status, 200);
		assert.equal((await call(after.proxy, gettoken(newGrant))).status, 200);
		assert.equal((await call(after.proxy, gettoken(oldGrant))).body.error_response.sub_code, 'topsec.grant-invalid');
		during.tick(7_200_000);
		assert.equal((await call(during.proxy, gettoken(newGrant))).body.error_response.sub_code, 'topsec.grant-expired');
	});
});

describe('environment', () => {
	const base = {TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET};
	test('TOPSEC_RATE_LIMIT_* and TOPSEC_TRUST_PROXY become rateLimits', () => {
		assert.equal(proxyOptionsFromEnv(base).rateLimits, undefined);
		assert.deepEqual(proxyOptionsFromEnv({...base, TOPSEC_RATE_LIMIT_IDENTITY: '30/60s', TOPSEC_RATE_LIMIT_IP: '1000 / 1h', TOPSEC_TRUST_PROXY: '2'}).rateLimits, {
			perIdentity: {limit: 30, windowMs: 60_000},
			perIp: {limit: 1000, windowMs: 3_600_000},
			trustProxy: 2,
		});
		assert.deepEqual(proxyOptionsFromEnv({...base, TOPSEC_RATE_LIMIT_IP: '5/250ms', TOPSEC_TRUST_PROXY: 'true'}).rateLimits, {perIp: {limit: 5, windowMs: 250}, trustProxy: 1});
		assert.deepEqual(proxyOptionsFromEnv({...base, TOPSEC_RATE_LIMIT_IP: '5/2m'}).rateLimits, {perIp: {limit: 5, windowMs: 120_000}});
	});
	for (const [name, value] of [['TOPSEC_RATE_LIMIT_IP', '30'], ['TOPSEC_RATE_LIMIT_IP', '0/60s'], ['TOPSEC_RATE_LIMIT_IDENTITY', '30/0'], ['TOPSEC_RATE_LIMIT_IDENTITY', '30/5d'], ['TOPSEC_TRUST_PROXY', 'maybe'], ['TOPSEC_TRUST_PROXY', '17']] as const) {
		test(`${name}=${value} is refused, naming the variable`, () => {
			assert.throws(() => proxyOptionsFromEnv({...base, [name]: value}), (error: unknown) => error instanceof TypeError && error.message.includes(name) && !error.message.includes(SECRET));
		});
	}
});

test('the secret appears in no answer of this file', () => {
	assert.ok(seen.length > 20);
	for (const text of seen) assert.ok(!text.includes(SECRET), text.slice(0, 200));
});

test('the default memory store follows the proxy clock', async () => {
	const {proxy, tick} = makeProxy({rateLimits: {perIdentity: {limit: 1, windowMs: 60_000}}});
	assert.equal((await call(proxy, sec('clock'))).status, 200);
	const refused = await call(proxy, sec('clock'));
	assert.equal(refused.status, 429);
	assert.equal(refused.retryAfter, '60');
	tick(30_000);
	assert.equal((await call(proxy, sec('clock'))).retryAfter, '30');
	tick(30_000);
	assert.equal((await call(proxy, sec('clock'))).status, 200);
});
