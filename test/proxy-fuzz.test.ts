// Fuzzing the proxy with fast-check: generated bad requests (wrong JSON, wrong types, huge and unicode strings,
// prototype keys, unknown methods and params, system params, header tricks, HTTP method spoofing, forged, expired,
// spliced and foreign grants). Every one must get a 4xx with a TOP-shaped `error_response`, TOP must never be called,
// nothing may crash, and neither the app secret nor the grant key derived from it may appear in any answer or log.
//
// Seeded: the seed is printed; rerun a failure with TOPSEC_FUZZ_SEED=<seed>. `npm test` runs 10 000 cases in
// process plus 400 over real HTTP; `npm run test:stress` (TOPSEC_STRESS=1) runs 30 000 + 3 000 with a fresh seed.
import assert from 'node:assert/strict';
import {createHmac} from 'node:crypto';
import {request as httpRequest} from 'node:http';
import {connect} from 'node:net';
import {after, before, describe, test} from 'node:test';
import fc from 'fast-check';
import {createProxy, serveProxy, type ProxyLogEntry, type ServedProxy} from '../src/proxy/index.js';

const STRESS = process.env['TOPSEC_STRESS'] === '1';
const SEED = Number(process.env['TOPSEC_FUZZ_SEED'] ?? (STRESS ? Date.now() % 2 ** 31 : 20260501));
const RUNS = Number(process.env['TOPSEC_FUZZ_RUNS'] ?? (STRESS ? 30_000 : 10_000));
const HTTP_RUNS = STRESS ? 3_000 : 400;

const SECRET = 'Fuzz-App-Secret-7c1e94d0b2a64f3f';
const OTHER_SECRET = 'Another-Apps-Secret-0a9b8c7d6e5f';
const SEC = 'taobao.top.sec.token.get';
const OSS = 'taobao.wdk.iot.wombat.common.gettoken';
const PAGE = 'https://shop.example.com';
const PROXY_URL = 'https://proxy.example.com/top';
const NOW = Date.UTC(2026, 4, 1, 4, 0, 0);
const SEC_TOKEN = 'FUZZ-SECTOKEN-must-not-appear';

// The grant key derived from the secret is as secret as the secret: look for it in every encoding too.
const derivedKey = createHmac('sha256', SECRET).update('topsec-grant-v1').digest();
const FORBIDDEN = [SECRET, derivedKey.toString('hex'), derivedKey.toString('hex').toUpperCase(), derivedKey.toString('base64'), derivedKey.toString('base64url'), SEC_TOKEN];

// ------------------------------------------------------------------------------------------------------------------
// The proxy under test, with a counting stand-in for TOP.

let upstreamCalls = 0;
const logs: ProxyLogEntry[] = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

const topFetch = (async (_input: RequestInfo | URL, init: RequestInit = {}) => {
	upstreamCalls++;
	const form = new URLSearchParams(init.body as string);
	if (form.get('method') === SEC) return new Response(JSON.stringify({top_sec_token_get_response: {sec_token: SEC_TOKEN, expire_time: 7200, request_id: 'r1'}}));
	return new Response(JSON.stringify({wdk_iot_wombat_common_gettoken_response: {result: {success: true, model: {access_key_id: 'STS.x', access_key_secret: 'sts', security_token: 't'}}, request_id: 'r2'}}));
}) as typeof fetch;

// Rate limits on (high enough never to refuse) so their code runs for every generated request too.
const options = {
	appKey: '12345678',
	appSecret: SECRET,
	allowOrigins: [PAGE],
	fetch: topFetch,
	now: () => NOW,
	log: (entry: ProxyLogEntry) => logs.push({...entry}),
	rateLimits: {perIdentity: {limit: 1e9, windowMs: 60_000}, perIp: {limit: 1e9, windowMs: 60_000}},
};
const proxy = createProxy(options);

/** A grant from a proxy configured like `proxy` but possibly at another time or with another secret. */
async function grantFrom(openId: string, at = NOW, secret = SECRET): Promise<string> {
	const issuer = createProxy({...options, appSecret: secret, now: () => at, log: undefined});
	const response = await issuer(new Request(PROXY_URL, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({method: SEC, params: {open_id: openId}})}));
	const body = (await response.json()) as {topsec: {grant: {value: string}}};
	return body.topsec.grant.value;
}

const grants = {valid: '', other: '', expired: '', foreign: ''};

before(async () => {
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);
	grants.valid = await grantFrom('fuzz-user');
	grants.other = await grantFrom('someone-else');
	grants.expired = await grantFrom('fuzz-user', NOW - 3 * 60 * 60_000);
	grants.foreign = await grantFrom('fuzz-user', NOW, OTHER_SECRET);
	upstreamCalls = 0;
	logs.length = 0;
	console.log(`# fuzz seed ${SEED} (rerun with TOPSEC_FUZZ_SEED=${SEED}), ${RUNS} in-process runs, ${HTTP_RUNS} over HTTP`);
});

after(() => {
	process.off('uncaughtException', onCrash);
	process.off('unhandledRejection', onCrash);
});

// ------------------------------------------------------------------------------------------------------------------
// Generators. Each yields a request that is bad for one stated reason, with the statuses it may get.

type BadRequest = {
	label: string;
	method: string;
	headers: Array<[string, string]>;
	body: string | Uint8Array | null;
	/** Allowed statuses (all 4xx). */
	expect: readonly number[];
};

const json = (value: unknown) => JSON.stringify(value);
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** Strings a fuzzer should try: unicode of every kind, prototype names, control characters, huge ones. */
const nastyString = fc.oneof(
	fc.string({unit: 'grapheme', maxLength: 40}),
	fc.string({unit: 'binary', maxLength: 40}),
	fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '😀'.repeat(70), 'ﷺ'.repeat(50), '../../etc/passwd', '<script>', '${7*7}', "'; DROP TABLE x;--", 'null', 'undefined', 'NaN'),
	fc.string({minLength: 129, maxLength: 2000}),
);
/** A string that is not one of the allowed method names. */
const unknownMethod = fc
	.oneof(nastyString, fc.constantFrom(`${SEC} `, ` ${SEC}`, SEC.toUpperCase(), `${SEC}\u0000`, 'taobao.user.seller.get', 'taobao.top.auth.token.create', 'taobao.wdk.iot.wombat.common.gettoken.', 'Object', '__proto__', 'constructor'))
	.filter((method) => method !== SEC && method !== OSS && method !== '');
/** A JSON value that is not a string or a finite number. */
const notScalar = fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), {maxLength: 3}), fc.dictionary(fc.string({maxLength: 5}), fc.jsonValue(), {maxKeys: 3}));
const SYSTEM_PARAMS = ['method', 'app_key', 'timestamp', 'v', 'sign_method', 'sign', 'format', 'session', 'simplify', 'partner_id', 'target_app_key'];
const validParams = fc.oneof(
	fc.record({method: fc.constant(SEC), params: fc.constant({open_id: 'fuzz-user'})}),
	fc.record({method: fc.constant(OSS), params: fc.constant({merchant_code: 'm1', scenes_code: 1}), grant: fc.constant('VALID')}),
);

const ORIGINS_REFUSED = ['https://evil.example.com', 'https://shop.example.com.evil.com', 'https://shop.example.co', 'http://shop.example.com', 'https://SHOP.EXAMPLE.COM', 'https://shop.example.com/', 'https://shop.example.com:443', 'null', 'https://shop.example.com@evil.com', 'https://shop.example.com, https://evil.com', 'file://', 'chrome-extension://abc'];

const post = (label: string, body: string | Uint8Array, expect: readonly number[], headers: Array<[string, string]> = []): BadRequest => ({label, method: 'POST', headers: [['content-type', 'application/json'], ['origin', PAGE], ...headers], body, expect});

const badJson = fc.oneof(
	fc.string({unit: 'binary', maxLength: 200}).filter((text) => {
		try {
			JSON.parse(text);
			return false;
		} catch {
			return true;
		}
	}),
	fc.constantFrom('', '{', '{"method":', "{'method':'x'}", '{"method":"x",}', 'NaN', '{"a":1}{"b":2}', '{"method":"x"\u0000}', '[', '"unterminated'),
).map((text) => post('bad-json', text, [400]));
// A UTF-8 byte order mark is skipped (RFC 8259 §8.1 lets parsers ignore it), so what follows is judged as JSON.
const bomJson = fc.constantFrom('\ufeff{"method":"x"}', '\ufeff{"method":"taobao.top.sec.token.get","params":{"open_id":1}}', '\ufeff\ufeff{}').map((text) => post('bom-json', text, [400, 404]));

const notUtf8 = fc.uint8Array({minLength: 1, maxLength: 64}).filter((bytes) => {
	try {
		new TextDecoder('utf-8', {fatal: true}).decode(bytes);
		return false;
	} catch {
		return true;
	}
}).map((bytes) => post('not-utf8', bytes, [400]));

const notAnObject = fc.oneof(fc.jsonValue().filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)), fc.array(fc.jsonValue(), {maxLength: 3})).map((value) => post('not-object', json(value), [400]));

const wrongTypes = fc.oneof(
	fc.record({method: fc.oneof(notScalar, fc.integer(), fc.constant('')), params: fc.constant({open_id: 'o'})}),
	fc.record({method: fc.constantFrom(SEC, OSS), params: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.jsonValue(), {maxLength: 2}))}),
	fc.record({method: fc.constant(SEC), params: fc.constant({open_id: 'o'}), grant: fc.oneof(notScalar, fc.integer())}),
).map((value) => post('wrong-types', json(value), [400]));

/** Top-level keys other than method/params/grant, `__proto__` and friends included, spliced in as raw JSON text. */
const unknownTopKey = fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'session', 'app_key', 'sign', 'Method', 'params ', 'toString'), nastyString.filter((key) => !['method', 'params', 'grant'].includes(key))), fc.jsonValue(), validParams).map(([key, value, valid]) => {
	const text = json(valid);
	return post('unknown-top-key', `{${json(key)}:${json(value)},${text.slice(1)}`, [400, 403]);
});

/** Params that break the spec: unknown names (prototype names and system params too), wrong types, too long, out of range. */
const badParams = fc.oneof(
	fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', ...SYSTEM_PARAMS), nastyString.filter((name) => !['open_id', 'oeid', 'ieid'].includes(name))), fc.oneof(fc.string(), fc.integer())).map(([name, value]) => ({
		label: 'unknown-param',
		text: `{"method":${json(SEC)},"params":{"open_id":"o",${json(name)}:${json(value)}}}`,
	})),
	fc.tuple(fc.constantFrom('open_id', 'oeid', 'ieid'), fc.oneof(notScalar, fc.integer(), fc.double({noDefaultInfinity: false}))).map(([name, value]) => ({label: 'param-type', text: json({method: SEC, params: {[name]: value}})})),
	fc.tuple(fc.constantFrom('open_id', 'oeid', 'ieid'), fc.string({unit: 'grapheme', minLength: 129, maxLength: 3000}).filter((s) => s.length > 128)).map(([name, value]) => ({label: 'param-length', text: json({method: SEC, params: {[name]: value}})})),
	fc.constantFrom({}, {open_id: ''}, {open_id: '', oeid: '', ieid: ''}, {open_id: null}).map((params) => ({label: 'param-missing', text: json({method: SEC, params})})),
	fc.oneof(fc.integer({max: -1}), fc.constantFrom(2_147_483_648, 2 ** 40, Number.MAX_SAFE_INTEGER, 1e300), fc.double({min: 0.5, max: 1000, noInteger: true, noNaN: true})).map((scenes) => ({label: 'param-range', text: json({method: OSS, params: {scenes_code: scenes}, grant: 'VALID'})})),
	fc.constantFrom('1', 'one', '', ' 1').map((scenes) => ({label: 'param-type', text: json({method: OSS, params: {scenes_code: scenes === '' ? true : scenes}, grant: 'VALID'})})),
).map(({label, text}) => post(label, text, [400]));

const unknownMethodCase = fc.tuple(unknownMethod, fc.constantFrom({}, {open_id: 'o'}, {merchant_code: 'm1'})).map(([method, params]) => post('unknown-method', json({method, params}), [400, 404]));

const hugeBody = fc.tuple(fc.integer({min: 16_385, max: 80_000}), fc.constantFrom('a', '😀', '\u0000')).map(([size, unit]) => post('huge-body', json({method: SEC, params: {open_id: unit.repeat(Math.ceil(size / unit.length))}}), [413]));

/** Bad Content-Type, refused Origin, a Content-Length over the cap: each with an otherwise valid body. */
const headerTricks = fc.oneof(
	fc.tuple(validParams, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/jsonp', 'application/json, text/plain', 'json', 'application/javascript', '*/*', '')).map(([valid, type]) => ({
		label: 'content-type',
		method: 'POST',
		headers: (type === '' ? [['origin', PAGE]] : [['content-type', type], ['origin', PAGE]]) as Array<[string, string]>,
		body: json(valid),
		expect: [400],
	})),
	fc.tuple(validParams, fc.constantFrom(...ORIGINS_REFUSED)).map(([valid, origin]) => ({label: 'origin', method: 'POST', headers: [['content-type', 'application/json'], ['origin', origin]] as Array<[string, string]>, body: json(valid), expect: [403]})),
	fc.tuple(validParams, fc.oneof(fc.integer({min: 16_385, max: 2 ** 31 - 1}), fc.constantFrom(2 ** 40, Number.MAX_SAFE_INTEGER))).map(([valid, length]) => post('content-length-lie', json(valid), [413], [['content-length', String(length)]])),
	fc.tuple(validParams, fc.constantFrom(...ORIGINS_REFUSED)).map(([, origin]) => ({label: 'preflight-refused', method: 'OPTIONS', headers: [['origin', origin], ['access-control-request-method', 'POST']] as Array<[string, string]>, body: null, expect: [403]})),
);

/** GET/PUT/DELETE/… with every override header an old framework honoured; none of them is POST. */
const methodSpoofing = fc.tuple(validParams, fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'FOO'), fc.subarray(['x-http-method-override', 'x-http-method', 'x-method-override', '_method'])).map(([valid, method, overrides]) => ({
	label: 'method-spoofing',
	method,
	headers: [['content-type', 'application/json'], ['origin', PAGE], ...overrides.map((name): [string, string] => [name, 'POST'])] as Array<[string, string]>,
	body: method === 'GET' || method === 'HEAD' ? null : json(valid),
	// node:http refuses methods it does not know before the handler runs (serveProxy answers 400 in our shape).
	expect: ['PROPFIND', 'FOO'].includes(method) ? [400, 405] : [405],
}));

/** gettoken with a grant that is missing, forged, expired, spliced from two identities, foreign, or junk. */
const badGrants = fc.oneof(
	fc.constant({label: 'grant-missing', grant: undefined as string | undefined}),
	fc.constantFrom('EXPIRED', 'FOREIGN').map((kind) => ({label: `grant-${kind.toLowerCase()}`, grant: kind})),
	fc.constantFrom('SPLICED', 'TAMPERED-EXP', 'TAMPERED-ID', 'WRONG-VERSION', 'TRUNCATED').map((kind) => ({label: 'grant-forged', grant: kind})),
	fc.tuple(fc.base64String({minLength: 4, maxLength: 200}), fc.base64String({minLength: 43, maxLength: 44})).map(([payload, mac]) => ({label: 'grant-forged', grant: `v1.${payload.replace(/[+/=]/g, 'A')}.${mac.replace(/[+/=]/g, 'B').slice(0, 43)}`})),
	nastyString.map((grant) => ({label: 'grant-junk', grant})),
	fc.integer({min: 0, max: 42}).map((flip) => ({label: 'grant-bitflip', grant: `BITFLIP:${flip}`})),
).map(({label, grant}) => post(label, json({method: OSS, params: {merchant_code: 'm1'}, ...(grant === undefined ? {} : {grant})}), [403, 413]));

const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(badJson, bomJson, notUtf8, notAnObject, wrongTypes, unknownTopKey, badParams, unknownMethodCase, hugeBody, headerTricks, methodSpoofing, badGrants);

/** Fills the placeholders (the grants exist only after `before`). */
function materialize(request: BadRequest): BadRequest {
	if (typeof request.body !== 'string') return request;
	const [head, payload, mac] = grants.valid.split('.') as [string, string, string];
	const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
	const otherPayload = grants.other.split('.')[1]!;
	const replace = (value: string) => {
		const flip = /^BITFLIP:(\d+)$/.exec(value);
		if (flip) {
			const at = Number(flip[1]) % (mac.length - 1);
			return `${head}.${payload}.${mac.slice(0, at)}${mac[at] === 'A' ? 'B' : 'A'}${mac.slice(at + 1)}`;
		}
		switch (value) {
			case 'VALID':
				return grants.valid;
			case 'EXPIRED':
				return grants.expired;
			case 'FOREIGN':
				return grants.foreign;
			case 'SPLICED':
				return `${head}.${otherPayload}.${mac}`;
			case 'TAMPERED-EXP':
				return `${head}.${b64url(json({...claims, exp: claims.exp + 365 * 86_400_000}))}.${mac}`;
			case 'TAMPERED-ID':
				return `${head}.${b64url(json({...claims, id: 'A'.repeat(22)}))}.${mac}`;
			case 'WRONG-VERSION':
				return `v2.${payload}.${mac}`;
			case 'TRUNCATED':
				return grants.valid.slice(0, -1);
			default:
				return value;
		}
	};
	const body = request.body.replace(/"grant":"([A-Z-]+|BITFLIP:\d+)"/, (_, value: string) => `"grant":${json(replace(value))}`);
	return {...request, body};
}

function assertClean(text: string, where: string) {
	for (const secret of FORBIDDEN) assert.ok(!text.includes(secret), `a secret appeared in ${where}: ${text.slice(0, 300)}`);
}

/** Checks one answer: a 4xx from the allowed set, TOP's error shape with a topsec.* sub code, the common headers. */
function assertRefused(request: BadRequest, status: number, headers: Headers | Record<string, string | string[] | undefined>, text: string | undefined) {
	const header = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined));
	assert.ok(status >= 400 && status < 500, `${request.label}: HTTP ${status}`);
	assert.ok(request.expect.includes(status), `${request.label}: HTTP ${status}, expected ${request.expect.join('/')}`);
	assert.equal(header('cache-control'), 'no-store');
	if (text !== undefined) {
		const body = JSON.parse(text);
		assert.equal(body.error_response.code, status);
		assert.match(body.error_response.sub_code, SUB_CODES[request.label] ?? /^topsec\.[a-z-]+$/, `${request.label}: ${text.slice(0, 300)}`);
		assert.equal(typeof body.error_response.sub_msg, 'string');
		assert.equal(typeof body.topsec.serverTime, 'number');
		assertClean(text, `${request.label} body`);
	}
	assertClean(JSON.stringify(headers instanceof Headers ? [...headers] : headers), `${request.label} headers`);
}

/** The sub codes each kind of bad request may get. */
const SUB_CODES: Readonly<Record<string, RegExp>> = {
	'bad-json': /^topsec\.bad-json$/,
	'bom-json': /^topsec\.(method-not-allowed|param-type|bad-json)$/,
	'not-utf8': /^topsec\.bad-json$/,
	'not-object': /^topsec\.bad-request$/,
	'wrong-types': /^topsec\.bad-request$/,
	'unknown-top-key': /^topsec\.bad-request$/,
	'unknown-param': /^topsec\.param-unknown$/,
	'param-type': /^topsec\.param-(type|missing)$/,
	'param-length': /^topsec\.param-length$/,
	'param-missing': /^topsec\.param-(missing|type)$/,
	'param-range': /^topsec\.param-range$/,
	'unknown-method': /^topsec\.method-not-allowed$/,
	'huge-body': /^topsec\.body-too-large$/,
	'content-length-lie': /^topsec\.body-too-large$/,
	'content-type': /^topsec\.bad-request$/,
	origin: /^topsec\.origin-forbidden$/,
	'preflight-refused': /^topsec\.origin-forbidden$/,
	'method-spoofing': /^topsec\.(http-method|bad-request)$/,
	'grant-missing': /^topsec\.grant-missing$/,
	'grant-expired': /^topsec\.grant-expired$/,
	'grant-foreign': /^topsec\.grant-invalid$/,
	'grant-forged': /^topsec\.grant-invalid$/,
	'grant-junk': /^topsec\.grant-invalid$/,
	'grant-bitflip': /^topsec\.grant-invalid$/,
};

const counts = new Map<string, number>();

describe('fuzzing the proxy', () => {
	test(`${RUNS} generated bad requests in process: 4xx, error_response, TOP never called, no secret`, async () => {
		const started = upstreamCalls;
		await fc.assert(
			fc.asyncProperty(badRequest, async (generated) => {
				const request = materialize(generated);
				counts.set(request.label, (counts.get(request.label) ?? 0) + 1);
				const before = upstreamCalls;
				const response = await proxy(
					new Request(PROXY_URL, {method: request.method, headers: request.headers, body: request.body, duplex: 'half'} as RequestInit),
					{clientIp: '203.0.113.7'},
				);
				const text = await response.text();
				assertRefused(request, response.status, response.headers, request.method === 'HEAD' || request.method === 'OPTIONS' ? (text === '' ? undefined : text) : text);
				assert.equal(upstreamCalls, before, `${request.label}: TOP was called`);
			}),
			{seed: SEED, numRuns: RUNS, endOnFailure: true},
		);
		assert.equal(upstreamCalls, started);
		console.log(`# in-process cases by kind: ${[...counts].sort().map(([label, n]) => `${label} ${n}`).join(', ')}`);
		assert.ok(counts.size >= 20, `only ${counts.size} kinds generated`);
	});

	test('the valid grant and valid calls still work after the fuzzing (the proxy is not wedged)', async () => {
		const before = upstreamCalls;
		const response = await proxy(new Request(PROXY_URL, {method: 'POST', headers: {'content-type': 'application/json', origin: PAGE}, body: json({method: OSS, params: {merchant_code: 'm1'}, grant: grants.valid})}));
		assert.equal(response.status, 200);
		await response.text();
		assert.equal(upstreamCalls, before + 1);
	});

	describe('over real HTTP (the Node adapter)', () => {
		let server: ServedProxy;
		before(async () => {
			server = await serveProxy(proxy, {port: 0, host: '127.0.0.1'});
		});
		after(() => server.close());

		const send = (request: BadRequest) =>
			new Promise<{status: number; headers: Record<string, string | string[] | undefined>; text: string}>((resolve, reject) => {
				const url = new URL(server.url);
				const body = request.body === null ? undefined : typeof request.body === 'string' ? Buffer.from(request.body) : Buffer.from(request.body);
				const headers: Record<string, string> = {};
				for (const [name, value] of request.headers) headers[name] = value;
				if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
				const req = httpRequest({host: url.hostname, port: url.port, path: url.pathname, method: request.method, headers, agent: false}, (res) => {
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (chunk) => (text += chunk));
					res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text}));
					res.on('error', reject);
				});
				// A server that answers (413) before the whole body is sent may close the socket under us: fine.
				req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
				const lie = headers['content-length'] !== undefined && body !== undefined && Number(headers['content-length']) !== body.length;
				if (body && !lie) req.end(body);
				else if (body) req.end(body.subarray(0, Math.min(body.length, 1024)));
				else req.end();
			});

		test(`${HTTP_RUNS} generated bad requests over HTTP`, async () => {
			const started = upstreamCalls;
			// Content-Length lies are answered from the header alone (413), before the body arrives.
			await fc.assert(
				fc.asyncProperty(badRequest, async (generated) => {
					const request = materialize(generated);
					const answer = await send(request);
					assertRefused(request, answer.status, answer.headers, request.method === 'HEAD' || request.method === 'OPTIONS' ? (answer.text === '' ? undefined : answer.text) : answer.text);
				}),
				{seed: SEED + 1, numRuns: HTTP_RUNS, endOnFailure: true},
			);
			assert.equal(upstreamCalls, started);
		});

		test('malformed HTTP (smuggling, bad chunks, huge headers) is refused and the server keeps serving', async () => {
			const url = new URL(server.url);
			const raw = (text: string) =>
				new Promise<string>((resolve) => {
					const socket = connect(Number(url.port), url.hostname);
					let answer = '';
					socket.setEncoding('latin1');
					socket.on('data', (chunk) => (answer += chunk));
					socket.on('error', () => resolve(answer));
					socket.on('close', () => resolve(answer));
					socket.end(text);
				});
			const body = json({method: SEC, params: {open_id: 'o'}});
			const cases = [
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 3\r\n\r\n${body}`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n${body}\r\n0\r\n\r\n`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${body}`,
				`POST /top?${'q'.repeat(9000)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"met\r\n0\r\n\r\n`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n${body}`,
				`GARBAGE\r\n\r\n`,
				`POST /top HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"method"`,
			];
			for (const text of cases) {
				const before = upstreamCalls;
				const answer = await raw(text);
				const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
				// Refused by Node's parser (serveProxy answers that in the proxy's shape too) or by the proxy; never a
				// 2xx, a 5xx, or a call to TOP.
				assert.ok(status >= 400 && status < 500, `HTTP ${status} for ${JSON.stringify(text.slice(0, 80))}: ${answer.slice(0, 200)}`);
				// The body may come chunked: the JSON is the one object in it.
				const body = JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1));
				assert.equal(body.error_response.code, status);
				assert.match(body.error_response.sub_code, /^topsec\./);
				assertClean(answer, 'raw answer');
				assert.equal(upstreamCalls, before, `TOP called for ${JSON.stringify(text.slice(0, 80))}`);
			}
			const ok = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/json'}, body});
			assert.equal(ok.status, 200);
			await ok.text();
		});
	});

	test('nothing crashed, and no log entry holds a secret', () => {
		assert.deepEqual(crashes, []);
		assert.ok(logs.length >= RUNS, `${logs.length} log entries`);
		for (const entry of logs) {
			const text = JSON.stringify(entry);
			assertClean(text, 'a log entry');
			assert.ok(!text.includes('v1.'), `a grant in a log entry: ${text}`);
			assert.deepEqual(Object.keys(entry).sort(), ['method', 'origin', 'requestId', 'status', 'subCode', 'time', 'upstreamMs']);
		}
	});
});
