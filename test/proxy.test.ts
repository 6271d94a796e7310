import assert from 'node:assert/strict';
import {createHash, createHmac} from 'node:crypto';
import {after, describe, test} from 'node:test';
import {createProxy, proxyOptionsFromEnv, type AuthorizeContext, type ProxyLogEntry, type ProxyOptions} from '../src/proxy/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures. Everything the proxy says (bodies, headers, log entries, thrown messages) is recorded in `seen` and
// checked for the secret at the end: the leak check runs across every test in this file.

const SECRET = 'Sup3r-Secret-App-Key-Value-9f2c';
const APP_KEY = '12345678';
const PROXY_URL = 'https://proxy.example.com/top';
const PAGE = 'https://shop.example.com';
const SEC = 'taobao.top.sec.token.get';
const OSS = 'taobao.wdk.iot.wombat.common.gettoken';
// 2026-05-01 04:00:00 UTC = 2026-05-01 12:00:00 in UTC+8.
const NOW = Date.UTC(2026, 4, 1, 4, 0, 0);
const SEC_TOKEN = 'SECTOKEN-abc123-must-not-be-logged';

const seen: string[] = [];
const logs: ProxyLogEntry[] = [];

after(() => {
	assert.ok(seen.length > 100, `leak check saw only ${seen.length} outputs`);
	for (const text of seen) assert.ok(!text.includes(SECRET), `secret leaked in: ${text.slice(0, 200)}`);
	for (const entry of logs) {
		const text = JSON.stringify(entry);
		assert.ok(!text.includes(SECRET) && !text.includes(SEC_TOKEN) && !text.includes('v1.'), `log entry leaks: ${text}`);
		assert.deepEqual(Object.keys(entry).sort(), ['method', 'origin', 'requestId', 'status', 'subCode', 'time', 'upstreamMs']);
	}
});

type UpstreamCall = {url: string; init: RequestInit; form: URLSearchParams; signOk: boolean; signal: AbortSignal};

/** TOP's signature recomputed with node:crypto, independent of src/top. */
function expectedSign(form: URLSearchParams, secret: string): string {
	const canonical = [...form]
		.filter(([key]) => key !== 'sign')
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([key, value]) => key + value)
		.join('');
	const method = form.get('sign_method');
	const hex =
		method === 'md5'
			? createHash('md5').update(secret + canonical + secret, 'utf8').digest('hex')
			: createHmac(method === 'hmac' ? 'md5' : 'sha256', secret).update(canonical, 'utf8').digest('hex');
	return hex.toUpperCase();
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), {status, headers: {'content-type': 'application/json;charset=UTF-8'}});

function defaultAnswer(form: URLSearchParams): Response {
	if (form.get('method') === SEC) return json({top_sec_token_get_response: {sec_token: SEC_TOKEN, expire_time: 7200, request_id: 'top-req-1'}});
	return json({
		wdk_iot_wombat_common_gettoken_response: {
			result: {success: true, msg_code: 'SUCCESS', msg_info: 'ok', model: {access_key_id: 'STS.x', access_key_secret: 'sts-secret', security_token: 'st', expiration_time: '2026-05-01 13:00:00', bucket: 'b', endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', region: 'cn-hangzhou', dir: 'uploads/m1/'}},
			request_id: 'top-req-2',
		},
	});
}

/** A fake gateway: records each call and checks its signature like TOP does (code 25 on a mismatch). */
function fakeTop(answer: (form: URLSearchParams, signal: AbortSignal) => Response | Promise<Response> = defaultAnswer, secret = SECRET) {
	const calls: UpstreamCall[] = [];
	const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
		assert.equal(typeof init.body, 'string');
		const form = new URLSearchParams(init.body as string);
		const signOk = expectedSign(form, secret) === form.get('sign');
		const signal = init.signal!;
		calls.push({url: String(input), init, form, signOk, signal});
		if (!signOk) return json({error_response: {code: 25, msg: 'Invalid signature', request_id: 'bad-sign'}});
		return answer(form, signal);
	}) as typeof globalThis.fetch;
	return {fetch, calls};
}

function makeProxy(options: Partial<ProxyOptions> = {}, top = fakeTop()) {
	const proxy = createProxy({appKey: APP_KEY, appSecret: SECRET, allowOrigins: [PAGE], now: () => NOW, fetch: top.fetch, log: (entry) => logs.push({...entry}), ...options});
	return {proxy, calls: top.calls};
}

type CallInit = {origin?: string | null; contentType?: string | null; method?: string; raw?: BodyInit | null; headers?: Record<string, string>; signal?: AbortSignal};

async function send(proxy: (request: Request) => Promise<Response>, body: unknown, init: CallInit = {}) {
	const headers = new Headers(init.headers);
	if (init.contentType !== null) headers.set('content-type', init.contentType ?? 'application/json');
	if (init.origin !== null) headers.set('origin', init.origin ?? PAGE);
	const method = init.method ?? 'POST';
	const hasBody = method !== 'GET' && method !== 'HEAD';
	const request = new Request(PROXY_URL, {method, headers, body: hasBody ? (init.raw !== undefined ? init.raw : JSON.stringify(body)) : null, signal: init.signal, duplex: 'half'} as RequestInit);
	const response = await proxy(request);
	const text = await response.text();
	seen.push(text, JSON.stringify([...response.headers]));
	let parsed: any;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {}
	return {response, text, body: parsed};
}

/** Asserts a proxy-raised error: status, sub code, TOP's shape, `topsec.serverTime`, and the common headers. */
function assertRefusal(result: Awaited<ReturnType<typeof send>>, status: number, subCode: string, serverTime = NOW) {
	const {response, body} = result;
	assert.equal(response.status, status, result.text);
	assert.equal(body.error_response.code, status);
	assert.equal(body.error_response.sub_code, subCode);
	assert.equal(typeof body.error_response.msg, 'string');
	assert.equal(typeof body.error_response.sub_msg, 'string');
	assert.match(body.error_response.request_id, /^[0-9a-f]{32}$/);
	assert.equal(body.topsec.serverTime, serverTime);
	assertCommonHeaders(response);
}

function assertCommonHeaders(response: Response) {
	assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
	assert.equal(response.headers.get('cache-control'), 'no-store');
	assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
}

const b64url = (buffer: Buffer) => buffer.toString('base64url');
const identityDigest = (openId = '', oeid = '', ieid = '') => b64url(createHash('sha256').update(`${openId}\n${oeid}\n${ieid}`).digest()).slice(0, 22);

async function getGrant(proxy: (request: Request) => Promise<Response>, params: Record<string, string> = {open_id: 'o1'}): Promise<string> {
	const {body} = await send(proxy, {method: SEC, params});
	assert.ok(body.topsec.grant, 'expected a grant');
	return body.topsec.grant.value;
}

// ---------------------------------------------------------------------------------------------------------------

describe('options', () => {
	const bad: Array<[string, Partial<ProxyOptions> | undefined, RegExp]> = [
		['options not an object', undefined, /`options`/],
		['missing appKey', {appKey: ''}, /`appKey`/],
		['missing appSecret', {appSecret: undefined as unknown as string}, /`appSecret`/],
		['bad signMethod', {signMethod: 'sha1' as never}, /`signMethod`/],
		['gateway not a URL', {gateway: 'gw.api.taobao.com'}, /`gateway`/],
		['gateway not http(s)', {gateway: 'ftp://gw.api.taobao.com/router/rest'}, /`gateway`/],
		['gateway with credentials', {gateway: `https://user:${SECRET}@gw.example.com/router/rest`}, /`gateway`/],
		['allowOrigins with a path', {allowOrigins: ['https://a.com/']}, /`allowOrigins`/],
		['allowOrigins without scheme', {allowOrigins: ['a.com']}, /`allowOrigins`/],
		['allowOrigins wildcard', {allowOrigins: ['*']}, /`allowOrigins`/],
		['allowOrigins uppercase host', {allowOrigins: ['https://A.com']}, /`allowOrigins`/],
		['allowOrigins default port', {allowOrigins: ['https://a.com:443']}, /`allowOrigins`/],
		['allowOrigins not an array', {allowOrigins: 'https://a.com' as never}, /`allowOrigins`/],
		['grantKeys empty', {grantKeys: []}, /`grantKeys`/],
		['grantKeys too short', {grantKeys: ['short']}, /`grantKeys`/],
		['timeoutMs negative', {timeoutMs: -1}, /`timeoutMs`/],
		['maxBodyBytes not an integer', {maxBodyBytes: 1.5}, /`maxBodyBytes`/],
		['grantTtlMs zero', {grantTtlMs: 0}, /`grantTtlMs`/],
		['apis with a system param', {apis: {'taobao.x': {params: {app_key: {type: 'string', maxLength: 9}}}}}, /`apis`/],
		['apis param without type', {apis: {'taobao.x': {params: {a: {} as never}}}}, /`apis`/],
		['fetch not a function', {fetch: 'fetch' as never}, /`fetch`/],
		['authorize not a function', {authorize: true as never}, /`authorize`/],
	];
	for (const [name, patch, pattern] of bad) {
		test(`TypeError: ${name}`, () => {
			const options = patch === undefined ? undefined : {appKey: APP_KEY, appSecret: SECRET, ...patch};
			assert.throws(
				() => createProxy(options as ProxyOptions),
				(error: unknown) => {
					assert.ok(error instanceof TypeError);
					seen.push(error.message);
					assert.match(error.message, pattern);
					return true;
				},
			);
		});
	}

	test('the returned handler exposes no secret', () => {
		const {proxy} = makeProxy();
		seen.push(String(proxy), String(JSON.stringify(proxy)), JSON.stringify(Object.getOwnPropertyNames(proxy)), JSON.stringify(Object.getOwnPropertyDescriptors(proxy)));
		assert.deepEqual(Object.keys(proxy), []);
	});

	test('proxyOptionsFromEnv reads, trims and validates, without echoing values', () => {
		const options = proxyOptionsFromEnv({
			TOP_APP_KEY: ' 123 ',
			TOP_APP_SECRET: SECRET,
			TOP_GATEWAY: 'http://127.0.0.1:8787/router/rest',
			TOP_SIGN_METHOD: 'md5',
			TOPSEC_ALLOW_ORIGINS: ' https://a.com , http://localhost:5173,, ',
			TOPSEC_GRANT_KEYS: 'key-one-0123456789abcdef, key-two-0123456789abcdef',
		});
		assert.deepEqual(options, {
			appKey: '123',
			appSecret: SECRET,
			gateway: 'http://127.0.0.1:8787/router/rest',
			signMethod: 'md5',
			allowOrigins: ['https://a.com', 'http://localhost:5173'],
			grantKeys: ['key-one-0123456789abcdef', 'key-two-0123456789abcdef'],
		});
		assert.deepEqual(proxyOptionsFromEnv({TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOP_SIGN_METHOD: ''}), {appKey: '1', appSecret: SECRET});
		const cases: Array<[Record<string, string | undefined>, RegExp]> = [
			[{TOP_APP_SECRET: SECRET}, /`TOP_APP_KEY`/],
			[{TOP_APP_KEY: '1', TOP_APP_SECRET: '  '}, /`TOP_APP_SECRET`/],
			[{TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOP_SIGN_METHOD: `x${SECRET}`}, /`TOP_SIGN_METHOD`/],
			[{TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOP_GATEWAY: `gw.example.com/${SECRET}`}, /`TOP_GATEWAY`/],
			[{TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOPSEC_ALLOW_ORIGINS: 'https://a.com,https://b.com/'}, /`TOPSEC_ALLOW_ORIGINS`/],
			[{TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOPSEC_GRANT_KEYS: `${SECRET},short`}, /`TOPSEC_GRANT_KEYS`/],
		];
		for (const [env, pattern] of cases) {
			assert.throws(
				() => proxyOptionsFromEnv(env),
				(error: unknown) => {
					assert.ok(error instanceof TypeError);
					seen.push(error.message);
					assert.match(error.message, pattern);
					return true;
				},
			);
		}
	});
});

describe('signing and upstream request', () => {
	for (const signMethod of ['md5', 'hmac', 'hmac-sha256'] as const) {
		test(`signs with ${signMethod}, verified independently`, async () => {
			const {proxy, calls} = makeProxy({signMethod});
			const {response, body} = await send(proxy, {method: SEC, params: {open_id: '用户-ü-😀', oeid: 'o e+&=%'}});
			assert.equal(response.status, 200);
			assert.equal(calls.length, 1);
			const [call] = calls;
			assert.ok(call!.signOk, 'signature must verify');
			assert.equal(call!.form.get('sign_method'), signMethod);
			assert.equal(call!.form.get('open_id'), '用户-ü-😀');
			assert.equal(call!.form.get('oeid'), 'o e+&=%');
			assert.equal(body.top_sec_token_get_response.sec_token, SEC_TOKEN);
		});
	}

	test('system params, timestamp in UTC+8, form encoding, manual redirects', async () => {
		const {proxy, calls} = makeProxy();
		await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		const [call] = calls;
		assert.equal(call!.url, 'https://gw.api.taobao.com/router/rest');
		assert.equal(call!.init.method, 'POST');
		assert.equal(call!.init.redirect, 'manual');
		assert.equal(new Headers(call!.init.headers).get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
		const form = Object.fromEntries(call!.form);
		assert.equal(typeof form['sign'], 'string');
		delete form['sign'];
		assert.deepEqual(form, {open_id: 'o1', method: SEC, app_key: APP_KEY, timestamp: '2026-05-01 12:00:00', v: '2.0', sign_method: 'hmac-sha256', format: 'json'});
	});

	test('numbers are sent as strings; the custom gateway is used', async () => {
		const {proxy, calls} = makeProxy({gateway: 'http://127.0.0.1:8787/router/rest', authorize: () => true});
		const {response} = await send(proxy, {method: OSS, params: {merchant_code: '杭州', scenes_code: 3, ou_code: 'ou', robot_sn: 'rb'}});
		assert.equal(response.status, 200);
		assert.equal(calls[0]!.url, 'http://127.0.0.1:8787/router/rest');
		assert.equal(calls[0]!.form.get('scenes_code'), '3');
		assert.equal(calls[0]!.form.get('merchant_code'), '杭州');
		assert.ok(calls[0]!.signOk);
	});

	test('a wrong secret shows up as TOP code 25 (the fake gateway really checks)', async () => {
		const {proxy, calls} = makeProxy({}, fakeTop(defaultAnswer, 'another-secret'));
		const {response, body} = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(response.status, 200);
		assert.equal(calls[0]!.signOk, false);
		assert.equal(body.error_response.code, 25);
	});
});

describe('answers', () => {
	test('success: TOP body unchanged (big numbers too) plus topsec, common headers', async () => {
		const raw = '{"top_sec_token_get_response":{"sec_token":"' + SEC_TOKEN + '","expire_time":7200,"big":12345678901234567890,"request_id":"r9"}}';
		const {proxy} = makeProxy({}, fakeTop(() => new Response(raw)));
		const {response, text, body} = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(response.status, 200);
		assertCommonHeaders(response);
		assert.ok(text.startsWith(raw.slice(0, -1) + ',"topsec":'), text);
		assert.equal(body.topsec.serverTime, NOW);
		assert.equal(body.topsec.grant.expiresAt, NOW + 7_200_000);
	});

	test('TOP error_response passes through with HTTP 200, topsec, no grant', async () => {
		const error = {code: 11, msg: 'Insufficient isv permissions', sub_code: 'isv.permission-api-package-limit', sub_msg: 'no', request_id: 'rq'};
		const {proxy} = makeProxy({}, fakeTop(() => json({error_response: error})));
		const {response, body} = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(response.status, 200);
		assert.deepEqual(body, {error_response: error, topsec: {serverTime: NOW}});
		const entry = logs.at(-1)!;
		assert.equal(entry.subCode, 'isv.permission-api-package-limit');
		assert.equal(entry.requestId, 'rq');
	});

	test('a transient TOP error (isp.*, 7/8/10/15) passes through with HTTP 503 so HTTP clients retry it', async () => {
		for (const error of [
			{code: 15, msg: 'Remote service error', sub_code: 'isp.top-remote-connection-timeout', sub_msg: 'timeout', request_id: 'rq'},
			{code: 7, msg: 'App Call Limited', sub_code: 'accesscontrol.limited-by-app-access-count', request_id: 'rq7'},
		]) {
			const {proxy} = makeProxy({}, fakeTop(() => json({error_response: error})));
			const {response, body} = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
			assert.equal(response.status, 503);
			assert.deepEqual(body, {error_response: error, topsec: {serverTime: NOW}});
			assert.equal(logs.at(-1)!.subCode, error.sub_code);
		}
	});

	test('gettoken business failure (result.success = false) passes through', async () => {
		const answer = {wdk_iot_wombat_common_gettoken_response: {result: {success: false, msg_code: 'NO_AUTH', msg_info: 'no'}, request_id: 'r'}};
		const {proxy} = makeProxy({authorize: () => true}, fakeTop(() => json(answer)));
		const {response, body} = await send(proxy, {method: OSS, params: {}});
		assert.equal(response.status, 200);
		assert.deepEqual(body, {...answer, topsec: {serverTime: NOW}});
	});
});

describe('status table: invalid input never reaches TOP', () => {
	const cases: Array<[string, unknown, CallInit, number, string]> = [
		['not JSON', undefined, {raw: '{"method": '}, 400, 'topsec.bad-json'],
		['not UTF-8', undefined, {raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])}, 400, 'topsec.bad-json'],
		['empty body', undefined, {raw: ''}, 400, 'topsec.bad-json'],
		['array body', [], {}, 400, 'topsec.bad-request'],
		['string body', 'x', {}, 400, 'topsec.bad-request'],
		['null body', null, {}, 400, 'topsec.bad-request'],
		['method not a string', {method: 1, params: {}}, {}, 400, 'topsec.bad-request'],
		['method missing', {params: {}}, {}, 400, 'topsec.bad-request'],
		['params not an object', {method: SEC, params: ['o1']}, {}, 400, 'topsec.bad-request'],
		['grant not a string', {method: SEC, params: {open_id: 'o'}, grant: 1}, {}, 400, 'topsec.bad-request'],
		['unknown top-level key', {method: SEC, params: {open_id: 'o'}, app_key: 'x'}, {}, 400, 'topsec.bad-request'],
		['top-level __proto__', undefined, {raw: `{"method":"${SEC}","params":{"open_id":"o"},"__proto__":{"polluted":1}}`}, 400, 'topsec.bad-request'],
		['Content-Type text/plain', {method: SEC, params: {open_id: 'o'}}, {contentType: 'text/plain'}, 400, 'topsec.bad-request'],
		['no Content-Type', undefined, {contentType: null, raw: new Uint8Array([0x7b, 0x7d])}, 400, 'topsec.bad-request'],
		['JSON in latin1', {method: SEC, params: {open_id: 'o'}}, {contentType: 'application/json; charset=iso-8859-1'}, 400, 'topsec.bad-request'],
		['unknown param', {method: SEC, params: {open_id: 'o', nick: 'x'}}, {}, 400, 'topsec.param-unknown'],
		['__proto__ param', undefined, {raw: `{"method":"${SEC}","params":{"open_id":"o","__proto__":{"x":1}}}`}, 400, 'topsec.param-unknown'],
		['constructor param', {method: SEC, params: {open_id: 'o', constructor: 'x'}}, {}, 400, 'topsec.param-unknown'],
		['string where a number goes (strict)', {method: OSS, params: {scenes_code: '3'}}, {}, 400, 'topsec.param-type'],
		['number where a string goes', {method: SEC, params: {open_id: 5}}, {}, 400, 'topsec.param-type'],
		['boolean value', {method: SEC, params: {open_id: true}}, {}, 400, 'topsec.param-type'],
		['null value', {method: SEC, params: {open_id: null}}, {}, 400, 'topsec.param-type'],
		['nested object value', {method: SEC, params: {open_id: {a: 1}}}, {}, 400, 'topsec.param-type'],
		['too long', {method: SEC, params: {open_id: 'x'.repeat(129)}}, {}, 400, 'topsec.param-length'],
		['negative scenes_code', {method: OSS, params: {scenes_code: -1}}, {}, 400, 'topsec.param-range'],
		['fractional scenes_code', {method: OSS, params: {scenes_code: 1.5}}, {}, 400, 'topsec.param-range'],
		['huge scenes_code', undefined, {raw: `{"method":"${OSS}","params":{"scenes_code":1e400}}`}, 400, 'topsec.param-type'],
		['none of open_id/oeid/ieid', {method: SEC, params: {}}, {}, 400, 'topsec.param-missing'],
		['unknown method', {method: 'taobao.trade.fullinfo.get', params: {}}, {}, 404, 'topsec.method-not-allowed'],
		['method "constructor"', {method: 'constructor', params: {}}, {}, 404, 'topsec.method-not-allowed'],
		['method "__proto__"', {method: '__proto__', params: {}}, {}, 404, 'topsec.method-not-allowed'],
		['HTTP GET', undefined, {method: 'GET'}, 405, 'topsec.http-method'],
		['HTTP PUT', {method: SEC, params: {open_id: 'o'}}, {method: 'PUT'}, 405, 'topsec.http-method'],
		['foreign origin', {method: SEC, params: {open_id: 'o'}}, {origin: 'https://evil.example'}, 403, 'topsec.origin-forbidden'],
		['gettoken without grant', {method: OSS, params: {}}, {}, 403, 'topsec.grant-missing'],
		['gettoken with garbage grant', {method: OSS, params: {}, grant: 'nope'}, {}, 403, 'topsec.grant-invalid'],
		['body over 16 KiB', {method: SEC, params: {open_id: 'x'.repeat(17_000)}}, {}, 413, 'topsec.body-too-large'],
	];
	for (const [name, body, init, status, subCode] of cases) {
		test(`${status} ${subCode}: ${name}`, async () => {
			const {proxy, calls} = makeProxy();
			const result = await send(proxy, body, init);
			assertRefusal(result, status, subCode);
			assert.equal(calls.length, 0, 'TOP must not be called');
			assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
			if (status === 405) assert.equal(result.response.headers.get('allow'), 'POST, OPTIONS');
		});
	}

	test('param problems name the field in sub_msg', async () => {
		const {proxy} = makeProxy();
		for (const [params, field] of [
			[{open_id: 'o', nick: 'x'}, 'nick'],
			[{open_id: 'x'.repeat(200)}, 'open_id'],
			[{open_id: 7}, 'open_id'],
		] as const) {
			const {body} = await send(proxy, {method: SEC, params});
			assert.match(body.error_response.sub_msg, new RegExp(`\`${field}\``));
		}
		const {body} = await send(proxy, {method: OSS, params: {scenes_code: 'x'}});
		assert.match(body.error_response.sub_msg, /`scenes_code`/);
	});

	test('413 on Content-Length alone, without reading the body', async () => {
		const {proxy, calls} = makeProxy();
		let pulled = 0;
		let cancelled = false;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulled++;
				controller.enqueue(new Uint8Array(1024));
			},
			cancel() {
				cancelled = true;
			},
		});
		const result = await send(proxy, undefined, {raw: stream, headers: {'content-length': '20480'}});
		assertRefusal(result, 413, 'topsec.body-too-large');
		assert.ok(pulled <= 1, `pulled ${pulled} chunks`);
		assert.ok(cancelled);
		assert.equal(calls.length, 0);
	});

	test('413 on a streamed body past the cap: reading stops just after it', async () => {
		const {proxy, calls} = makeProxy({maxBodyBytes: 4096});
		let pulled = 0;
		let cancelled = false;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulled++;
				controller.enqueue(new Uint8Array(1000).fill(0x20));
			},
			cancel() {
				cancelled = true;
			},
		});
		const result = await send(proxy, undefined, {raw: stream});
		assertRefusal(result, 413, 'topsec.body-too-large');
		assert.ok(cancelled, 'the stream must be cancelled');
		assert.ok(pulled <= 7, `pulled ${pulled} chunks of 1000 bytes for a 4096-byte cap`);
		assert.equal(calls.length, 0);
	});

	test('a body exactly at the cap is accepted', async () => {
		const {proxy} = makeProxy({maxBodyBytes: 100});
		const base = JSON.stringify({method: SEC, params: {open_id: ''}});
		const body = JSON.stringify({method: SEC, params: {open_id: 'x'.repeat(100 - base.length)}});
		assert.equal(body.length, 100);
		const {response} = await send(proxy, undefined, {raw: body});
		assert.equal(response.status, 200);
	});

	test('429 from the rateLimit hook, with Retry-After, before the grant check', async () => {
		const contexts: AuthorizeContext[] = [];
		const {proxy, calls} = makeProxy({
			rateLimit: (context) => {
				contexts.push(context);
				return 1.2;
			},
		});
		const result = await send(proxy, {method: OSS, params: {}});
		assertRefusal(result, 429, 'topsec.rate-limited');
		assert.equal(result.response.headers.get('retry-after'), '2');
		assert.equal(result.response.headers.get('access-control-expose-headers'), 'retry-after');
		assert.equal(contexts[0]!.method, OSS);
		assert.equal(calls.length, 0);
	});
});

describe('upstream failures', () => {
	const cases: Array<[string, (form: URLSearchParams, signal: AbortSignal) => Response | Promise<Response>, number, string]> = [
		['network error', () => Promise.reject(new TypeError('fetch failed')), 502, 'topsec.upstream-unavailable'],
		['HTTP 503', () => new Response('busy', {status: 503}), 502, 'topsec.upstream-unavailable'],
		['HTTP 500 with JSON', () => json({error_response: {code: 15}}, 500), 502, 'topsec.upstream-unavailable'],
		['not JSON', () => new Response('<html>oops</html>'), 502, 'topsec.upstream-bad-response'],
		['JSON but not a TOP answer', () => json({hello: 'world'}), 502, 'topsec.upstream-bad-response'],
		['JSON array', () => json([1, 2]), 502, 'topsec.upstream-bad-response'],
		['redirect', () => new Response(null, {status: 302, headers: {location: 'https://evil.example/collect'}}), 502, 'topsec.upstream-bad-response'],
		['answer over 1 MiB', () => new Response(`{"top_sec_token_get_response":{"x":"${'y'.repeat(1_100_000)}"}}`), 502, 'topsec.upstream-bad-response'],
	];
	for (const [name, answer, status, subCode] of cases) {
		test(`${status} ${subCode}: ${name}`, async () => {
			const {proxy, calls} = makeProxy({}, fakeTop(answer));
			assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), status, subCode);
			assert.equal(calls.length, 1);
			assert.equal(typeof logs.at(-1)!.upstreamMs, 'number');
		});
	}

	test('504 when TOP is slower than timeoutMs; the upstream fetch is aborted', async () => {
		const top = fakeTop((_form, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
		const {proxy, calls} = makeProxy({timeoutMs: 30}, top);
		const started = Date.now();
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 504, 'topsec.upstream-timeout');
		assert.ok(Date.now() - started < 2000);
		assert.ok(calls[0]!.signal.aborted);
	});

	test('504 even when the fetch ignores its signal', async () => {
		const {proxy} = makeProxy({timeoutMs: 30}, fakeTop(() => new Promise<Response>(() => {})));
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 504, 'topsec.upstream-timeout');
	});

	test('504 when the answer body stalls', async () => {
		const stalled = () => new Response(new ReadableStream({start: (controller) => controller.enqueue(new TextEncoder().encode('{"a":'))}));
		const {proxy} = makeProxy({timeoutMs: 30}, fakeTop(stalled));
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 504, 'topsec.upstream-timeout');
	});

	test("the caller's abort aborts the upstream call", async () => {
		const top = fakeTop((_form, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
		const {proxy, calls} = makeProxy({timeoutMs: 5000}, top);
		const controller = new AbortController();
		const pending = send(proxy, {method: SEC, params: {open_id: 'o1'}}, {signal: controller.signal});
		while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
		controller.abort();
		const {response, body} = await pending;
		assert.ok(calls[0]!.signal.aborted);
		assert.equal(response.status, 499);
		assert.equal(body.error_response.sub_code, 'topsec.client-closed');
	});
});

describe('CORS', () => {
	test('allowed origin: echoed, Vary: Origin, no credentials', async () => {
		const {proxy} = makeProxy();
		const {response} = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('access-control-allow-origin'), PAGE);
		assert.equal(response.headers.get('vary'), 'Origin');
		assert.equal(response.headers.get('access-control-allow-credentials'), null);
	});

	test('errors to an allowed origin carry CORS headers too (so the page can read them)', async () => {
		const {proxy} = makeProxy();
		const result = await send(proxy, {method: 'nope', params: {}});
		assertRefusal(result, 404, 'topsec.method-not-allowed');
		assert.equal(result.response.headers.get('access-control-allow-origin'), PAGE);
	});

	for (const origin of ['https://evil.example', 'https://shop.example.com.evil.com', 'https://evilshop.example.com', 'http://shop.example.com', 'https://shop.example.com:8443', 'https://SHOP.example.com', 'null', 'https://shop.example.com/']) {
		test(`foreign or lookalike origin ${origin}: 403 for POST and preflight, no CORS headers`, async () => {
			const {proxy, calls} = makeProxy();
			const post = await send(proxy, {method: SEC, params: {open_id: 'o1'}}, {origin});
			assertRefusal(post, 403, 'topsec.origin-forbidden');
			assert.equal(post.response.headers.get('access-control-allow-origin'), null);
			const preflight = await send(proxy, undefined, {origin, method: 'OPTIONS', contentType: null, raw: null, headers: {'access-control-request-method': 'POST'}});
			assertRefusal(preflight, 403, 'topsec.origin-forbidden');
			assert.equal(preflight.response.headers.get('access-control-allow-origin'), null);
			assert.equal(calls.length, 0);
		});
	}

	test('preflight from an allowed origin: 204 with the CORS answer', async () => {
		const {proxy, calls} = makeProxy();
		const {response, text} = await send(proxy, undefined, {method: 'OPTIONS', contentType: null, raw: null, headers: {'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type'}});
		assert.equal(response.status, 204);
		assert.equal(text, '');
		assert.equal(response.headers.get('access-control-allow-origin'), PAGE);
		assert.equal(response.headers.get('access-control-allow-methods'), 'POST');
		assert.equal(response.headers.get('access-control-allow-headers'), 'content-type');
		assert.equal(response.headers.get('access-control-max-age'), '600');
		assert.equal(response.headers.get('cache-control'), 'no-store');
		assert.equal(calls.length, 0);
	});

	test('same origin as the proxy: allowed without being listed, no CORS headers', async () => {
		const {proxy} = makeProxy({allowOrigins: []});
		const {response} = await send(proxy, {method: SEC, params: {open_id: 'o1'}}, {origin: 'https://proxy.example.com'});
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('access-control-allow-origin'), null);
	});

	test('no Origin (server to server): allowed, grant still enforced', async () => {
		const {proxy} = makeProxy();
		const ok = await send(proxy, {method: SEC, params: {open_id: 'o1'}}, {origin: null});
		assert.equal(ok.response.status, 200);
		assert.equal(ok.response.headers.get('access-control-allow-origin'), null);
		assertRefusal(await send(proxy, {method: OSS, params: {}}, {origin: null}), 403, 'topsec.grant-missing');
	});
});

describe('grant', () => {
	test('issued on a secToken: v1 format, claims, HMAC under the key derived from the secret (checked with node:crypto)', async () => {
		const {proxy} = makeProxy();
		const {body} = await send(proxy, {method: SEC, params: {open_id: 'o1', ieid: 'i1'}});
		const {value, expiresAt} = body.topsec.grant;
		assert.equal(expiresAt, NOW + 7_200_000);
		const [version, payload, mac] = value.split('.');
		assert.equal(version, 'v1');
		const derived = createHmac('sha256', SECRET).update('topsec-grant-v1').digest();
		assert.equal(mac, b64url(createHmac('sha256', derived).update(`v1.${payload}`).digest()));
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
		assert.deepEqual(Object.keys(claims).sort(), ['exp', 'id', 'kid']);
		assert.equal(claims.id, identityDigest('o1', '', 'i1'));
		assert.equal(claims.exp, expiresAt);
		assert.equal(claims.kid, b64url(createHash('sha256').update(derived).digest()).slice(0, 8));
	});

	test('expiresAt = min(now + grantTtlMs, now + expire_time)', async () => {
		const answer = (expire: unknown) => fakeTop(() => json({top_sec_token_get_response: {sec_token: SEC_TOKEN, expire_time: expire, request_id: 'r'}}));
		const expiry = async (options: Partial<ProxyOptions>, expire: unknown) => (await send(makeProxy(options, answer(expire)).proxy, {method: SEC, params: {open_id: 'o1'}})).body.topsec.grant?.expiresAt;
		assert.equal(await expiry({}, 600), NOW + 600_000);
		assert.equal(await expiry({}, 86_400), NOW + 7_200_000);
		assert.equal(await expiry({grantTtlMs: 60_000}, 7200), NOW + 60_000);
		assert.equal(await expiry({}, undefined), NOW + 7_200_000);
		assert.equal(await expiry({}, '300'), NOW + 300_000);
		assert.equal(await expiry({}, 'soon'), NOW + 7_200_000);
		assert.equal(await expiry({}, 0), undefined);
	});

	test('no grant without a sec_token, or for other methods', async () => {
		const {proxy} = makeProxy({authorize: () => true}, fakeTop((form) => (form.get('method') === SEC ? json({top_sec_token_get_response: {request_id: 'r'}}) : defaultAnswer(form))));
		assert.equal((await send(proxy, {method: SEC, params: {open_id: 'o1'}})).body.topsec.grant, undefined);
		assert.equal((await send(proxy, {method: OSS, params: {}})).body.topsec.grant, undefined);
	});

	test('a valid grant unlocks gettoken', async () => {
		const {proxy, calls} = makeProxy();
		const grant = await getGrant(proxy);
		const {response, body} = await send(proxy, {method: OSS, params: {scenes_code: 1}, grant});
		assert.equal(response.status, 200);
		assert.equal(body.wdk_iot_wombat_common_gettoken_response.result.success, true);
		assert.equal(calls.at(-1)!.form.get('method'), OSS);
		assert.equal(calls.at(-1)!.form.get('grant'), null, 'the grant is not sent to TOP');
	});

	test('expired grant: 403 grant-expired', async () => {
		const {proxy} = makeProxy();
		const grant = await getGrant(proxy);
		const later = makeProxy({now: () => NOW + 7_200_000});
		assertRefusal(await send(later.proxy, {method: OSS, params: {}, grant}), 403, 'topsec.grant-expired', NOW + 7_200_000);
		const justBefore = makeProxy({now: () => NOW + 7_199_999});
		assert.equal((await send(justBefore.proxy, {method: OSS, params: {}, grant})).response.status, 200);
		assert.equal(later.calls.length, 0);
	});

	test('forged grants: 403 grant-invalid', async () => {
		const {proxy, calls} = makeProxy();
		const grant = await getGrant(proxy);
		const [, payload, mac] = grant.split('.') as [string, string, string];
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
		const longer = b64url(Buffer.from(JSON.stringify({...claims, exp: claims.exp + 86_400_000})));
		const otherSecret = await getGrant(makeProxy({appSecret: 'a-different-secret-value'}, fakeTop(defaultAnswer, 'a-different-secret-value')).proxy);
		const flipped = mac.slice(0, -2) + (mac.at(-2) === 'A' ? 'B' : 'A') + mac.at(-1);
		const forged = [
			`v1.${longer}.${mac}`,
			`v2.${payload}.${mac}`,
			`v1.${payload}.${flipped}`,
			`v1.${payload}`,
			`v1.${payload}.${mac}.x`,
			`v1.${payload}.${mac}=`,
			otherSecret,
			'',
			'v1..',
			`v1.${'A'.repeat(5000)}.${mac}`,
		];
		for (const value of forged) {
			assertRefusal(await send(proxy, {method: OSS, params: {}, grant: value}), 403, 'topsec.grant-invalid');
		}
		assert.equal(calls.filter((call) => call.form.get('method') === OSS).length, 0);
	});

	test('a signed grant with a broken payload is still invalid', async () => {
		const key = 'grant-key-0123456789abcdef';
		const {proxy} = makeProxy({grantKeys: [key]});
		const sign = (payload: string) => `v1.${payload}.${b64url(createHmac('sha256', key).update(`v1.${payload}`).digest())}`;
		const bad = [b64url(Buffer.from('not json')), b64url(Buffer.from('[]')), b64url(Buffer.from(JSON.stringify({id: 'x', exp: 'later', kid: 'k'}))), b64url(Buffer.from(JSON.stringify({id: 1, exp: NOW + 1000, kid: 'k'})))];
		for (const payload of bad) assertRefusal(await send(proxy, {method: OSS, params: {}, grant: sign(payload)}), 403, 'topsec.grant-invalid');
		const good = sign(b64url(Buffer.from(JSON.stringify({id: 'anything', exp: NOW + 1000, kid: 'k'}))));
		assert.equal((await send(proxy, {method: OSS, params: {}, grant: good})).response.status, 200);
	});

	test('key rotation: first key signs, every key verifies', async () => {
		const k1 = 'rotation-key-one-0123456789';
		const k2 = 'rotation-key-two-0123456789';
		const old = makeProxy({grantKeys: [k1]});
		const rotated = makeProxy({grantKeys: [k2, k1]});
		const retired = makeProxy({grantKeys: [k2]});
		const oldGrant = await getGrant(old.proxy);
		const newGrant = await getGrant(rotated.proxy);
		const kid = (grant: string) => JSON.parse(Buffer.from(grant.split('.')[1]!, 'base64url').toString()).kid;
		assert.notEqual(kid(oldGrant), kid(newGrant));
		assert.equal(kid(newGrant), b64url(createHash('sha256').update(k2).digest()).slice(0, 8));
		assert.equal((await send(rotated.proxy, {method: OSS, params: {}, grant: oldGrant})).response.status, 200);
		assert.equal((await send(rotated.proxy, {method: OSS, params: {}, grant: newGrant})).response.status, 200);
		assert.equal((await send(retired.proxy, {method: OSS, params: {}, grant: newGrant})).response.status, 200);
		assertRefusal(await send(retired.proxy, {method: OSS, params: {}, grant: oldGrant}), 403, 'topsec.grant-invalid');
		assertRefusal(await send(old.proxy, {method: OSS, params: {}, grant: newGrant}), 403, 'topsec.grant-invalid');
	});

	test('stateless: another instance with the same secret accepts the grant', async () => {
		const grant = await getGrant(makeProxy().proxy);
		assert.equal((await send(makeProxy().proxy, {method: OSS, params: {}, grant})).response.status, 200);
	});

	test('grantRequired is configurable; a bad grant on a method that does not need one is ignored', async () => {
		const {proxy} = makeProxy({grantRequired: [SEC, OSS]});
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 403, 'topsec.grant-missing');
		const open = makeProxy({grantRequired: []});
		assert.equal((await send(open.proxy, {method: OSS, params: {}})).response.status, 200);
		assert.equal((await send(makeProxy().proxy, {method: SEC, params: {open_id: 'o1'}, grant: 'junk'})).response.status, 200);
	});
});

describe('hooks', () => {
	test('authorize: true skips the grant, false refuses, undefined keeps the grant rule; it sees the context', async () => {
		const seenContexts: AuthorizeContext[] = [];
		let verdict: boolean | undefined = true;
		const {proxy, calls} = makeProxy({
			authorize: async (context) => {
				seenContexts.push(context);
				return verdict;
			},
		});
		assert.equal((await send(proxy, {method: OSS, params: {scenes_code: 2}})).response.status, 200);
		assert.equal(seenContexts[0]!.method, OSS);
		assert.deepEqual({...seenContexts[0]!.params}, {scenes_code: 2});
		assert.equal(seenContexts[0]!.grant, undefined);
		assert.ok(seenContexts[0]!.request instanceof Request);

		verdict = false;
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 403, 'topsec.unauthorized');
		const before = calls.length;
		verdict = undefined;
		assertRefusal(await send(proxy, {method: OSS, params: {}}), 403, 'topsec.grant-missing');
		assert.equal(calls.length, before);

		const grant = await getGrant(proxy, {oeid: 'e1'});
		assert.equal((await send(proxy, {method: OSS, params: {}, grant})).response.status, 200);
		const claims = seenContexts.at(-1)!.grant!;
		assert.equal(claims.id, identityDigest('', 'e1', ''));
		assert.equal(claims.exp, NOW + 7_200_000);
	});

	test('authorize cannot change the params that are signed', async () => {
		const {proxy, calls} = makeProxy({
			authorize: (context) => {
				assert.throws(() => {
					(context.params as Record<string, string>)['app_key'] = 'x';
				});
				return undefined;
			},
		});
		assert.equal((await send(proxy, {method: SEC, params: {open_id: 'o1'}})).response.status, 200);
		assert.equal(calls[0]!.form.get('app_key'), APP_KEY);
	});

	test('session: added to the signed form when the hook gives one', async () => {
		const sessions: Array<string | undefined> = ['6201-user-session', undefined, ''];
		const {proxy, calls} = makeProxy({session: () => sessions.shift()});
		for (let i = 0; i < 3; i++) await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(calls[0]!.form.get('session'), '6201-user-session');
		assert.ok(calls[0]!.signOk);
		assert.equal(calls[1]!.form.has('session'), false);
		assert.equal(calls[2]!.form.has('session'), false);
		assert.ok(!logs.some((entry) => JSON.stringify(entry).includes('6201-user-session')));
	});

	test('a throwing hook becomes 500 topsec.internal, without its message, stack or the secret', async () => {
		const boom = () => {
			throw new Error(`db down; secret=${SECRET}`);
		};
		for (const options of [{authorize: boom}, {session: boom}, {rateLimit: boom}, {session: () => 42 as unknown as string}] as Array<Partial<ProxyOptions>>) {
			const {proxy, calls} = makeProxy(options);
			const result = await send(proxy, {method: SEC, params: {open_id: 'o1'}});
			assertRefusal(result, 500, 'topsec.internal');
			assert.doesNotMatch(result.text, /db down|at .*\.ts/);
			assert.equal(calls.length, 0);
		}
	});

	test('a throwing fetch implementation or clock never crashes the handler', async () => {
		const throwingFetch = (() => {
			throw new Error(SECRET);
		}) as unknown as typeof fetch;
		const {proxy} = makeProxy({fetch: throwingFetch});
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o1'}}), 502, 'topsec.upstream-unavailable');
		const brokenClock = makeProxy({
			now: () => {
				throw new Error(SECRET);
			},
		});
		const {response, body} = await send(brokenClock.proxy, {method: SEC, params: {open_id: 'o1'}});
		assert.equal(response.status, 200);
		assert.ok(Math.abs(body.topsec.serverTime - Date.now()) < 60_000, 'falls back to the host clock');
	});

	test('log: one entry per request with the documented fields; a throwing logger is ignored', async () => {
		const entries: ProxyLogEntry[] = [];
		const {proxy} = makeProxy({log: (entry) => entries.push(entry)});
		await send(proxy, {method: SEC, params: {open_id: 'o1'}});
		await send(proxy, {method: 'nope', params: {}});
		await send(proxy, {}, {origin: 'https://evil.example'});
		assert.equal(entries.length, 3);
		assert.deepEqual({...entries[0], upstreamMs: typeof entries[0]!.upstreamMs}, {time: NOW, origin: PAGE, method: SEC, status: 200, subCode: undefined, upstreamMs: 'number', requestId: 'top-req-1'});
		assert.equal(entries[1]!.status, 404);
		assert.equal(entries[1]!.subCode, 'topsec.method-not-allowed');
		assert.equal(entries[1]!.method, 'nope');
		assert.match(entries[1]!.requestId!, /^[0-9a-f]{32}$/);
		assert.equal(entries[2]!.status, 403);
		assert.equal(entries[2]!.origin, 'https://evil.example');
		logs.push(...entries);

		const loud = makeProxy({
			log: () => {
				throw new Error('logger down');
			},
		});
		assert.equal((await send(loud.proxy, {method: SEC, params: {open_id: 'o1'}})).response.status, 200);
	});

	test('custom apis replace the seed list', async () => {
		const {proxy, calls} = makeProxy(
			{apis: {'taobao.time.get': {params: {}}}},
			fakeTop(() => json({time_get_response: {time: '2026-05-01 12:00:00', request_id: 't'}})),
		);
		assert.equal((await send(proxy, {method: 'taobao.time.get', params: {}})).response.status, 200);
		assertRefusal(await send(proxy, {method: SEC, params: {open_id: 'o'}}), 404, 'topsec.method-not-allowed');
		assert.equal(calls.length, 1);
	});
});
