import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, it} from 'node:test';
import {createStsIssuer} from '../src/emulator/sts.js';
import {createTopEmulator, DEFAULT_APP_KEY, DEFAULT_APP_SECRET, listenTopEmulator, type TopEmulatorServer} from '../src/emulator/top/index.js';
import {OSS_TOKEN_METHOD, SEC_TOKEN_METHOD} from '../src/top/apis.js';
import {signTopParams, type SignMethod} from '../src/top/sign.js';
import {formatTopTime, parseTopTime} from '../src/top/time.js';

const sts = createStsIssuer();
const emulator = createTopEmulator({
	sts,
	oss: {endpoint: () => 'http://oss-cn-hangzhou.localhost:8787'},
	respond: {'taobao.topsec.echo': (params) => ({echo: params['text'] ?? '', note: '<a & "b">'})},
});
let server: TopEmulatorServer;

before(async () => {
	server = await listenTopEmulator(emulator);
});
after(() => server.close());
beforeEach(() => {
	emulator.clearCalls();
	emulator.clearFaults();
	emulator.setSecTokenTtlSeconds(7200);
});

type Options = {signMethod?: SignMethod; secret?: string; system?: Record<string, string | undefined>; sign?: string};

/** Signed TOP params as a topsec proxy would send them; `system` overrides (undefined removes) system params. */
async function signed(method: string | undefined, business: Record<string, string>, options: Options = {}): Promise<Record<string, string>> {
	const params: Record<string, string | undefined> = {
		method,
		app_key: DEFAULT_APP_KEY,
		timestamp: formatTopTime(Date.now()),
		v: '2.0',
		sign_method: options.signMethod ?? 'md5',
		format: 'json',
		...business,
		...options.system,
	};
	const clean: Record<string, string> = {};
	for (const [key, value] of Object.entries(params)) if (value !== undefined) clean[key] = value;
	// Sign with `signMethod` even when `system` claims another sign_method (to test mismatches).
	const signMethod = options.signMethod ?? ((['md5', 'hmac', 'hmac-sha256'].includes(clean['sign_method'] ?? '') ? clean['sign_method'] : 'md5') as SignMethod);
	clean['sign'] = options.sign ?? (await signTopParams(clean, options.secret ?? DEFAULT_APP_SECRET, signMethod));
	if (clean['sign'] === '') delete clean['sign'];
	return clean;
}

type Answer = {status: number; contentType: string; text: string; json: Record<string, any>};

async function post(params: Record<string, string>, init: {query?: Record<string, string>} = {}): Promise<Answer> {
	const url = init.query ? `${server.url}?${new URLSearchParams(init.query)}` : server.url;
	const res = await fetch(url, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded;charset=UTF-8'}, body: new URLSearchParams(params)});
	return read(res);
}

async function read(res: Response): Promise<Answer> {
	const text = await res.text();
	const contentType = res.headers.get('content-type') ?? '';
	return {status: res.status, contentType, text, json: contentType.startsWith('application/json') ? JSON.parse(text) : {}};
}

async function secToken(business: Record<string, string> = {open_id: 'o1'}, options?: Options) {
	return post(await signed(SEC_TOKEN_METHOD, business, options));
}

function assertError(answer: Answer, code: number, msg?: string | RegExp) {
	assert.equal(answer.status, 200, 'TOP answers errors with HTTP 200');
	const error = answer.json['error_response'];
	assert.ok(error, `expected error_response, got ${answer.text}`);
	assert.equal(error.code, code, answer.text);
	if (typeof msg === 'string') assert.equal(error.msg, msg);
	else if (msg) assert.match(error.msg, msg);
	assert.match(error.request_id, /^[a-z0-9]{13}$/);
	return error as {code: number; msg: string; sub_code?: string; sub_msg?: string; request_id: string};
}

describe('success answers', () => {
	for (const signMethod of ['md5', 'hmac', 'hmac-sha256'] as const) {
		it(`taobao.top.sec.token.get signed with ${signMethod}`, async () => {
			const answer = await secToken({open_id: 'o1', oeid: 'e1'}, {signMethod});
			assert.equal(answer.status, 200);
			assert.equal(answer.contentType, 'application/json;charset=UTF-8');
			const body = answer.json['top_sec_token_get_response'];
			assert.deepEqual(Object.keys(body).sort(), ['expire_time', 'request_id', 'sec_token']);
			assert.match(body.sec_token, /^[A-Za-z0-9_-]{40}$/);
			assert.equal(body.expire_time, 7200);
			assert.match(body.request_id, /^[a-z0-9]{13}$/);
		});

		it(`taobao.wdk.iot.wombat.common.gettoken signed with ${signMethod}`, async () => {
			const answer = await post(await signed(OSS_TOKEN_METHOD, {merchant_code: 'shop-1', scenes_code: '3', ou_code: 'ou', robot_sn: 'r1'}, {signMethod}));
			const body = answer.json['wdk_iot_wombat_common_gettoken_response'];
			assert.ok(body, answer.text);
			assert.match(body.request_id, /^[a-z0-9]{13}$/);
			assert.equal(body.result.success, true);
			assert.equal(body.result.msg_code, 'SUCCESS');
			const model = body.result.model;
			assert.equal(model.bucket, 'topsec-dev');
			assert.equal(model.region, 'cn-hangzhou');
			assert.equal(model.endpoint, 'http://oss-cn-hangzhou.localhost:8787');
			assert.equal(model.dir, 'uploads/shop-1/');
			assert.match(model.access_key_id, /^STS\./);
		});
	}

	it('gettoken credentials verify with the same STS issuer and expire ≈ now + ttl', async () => {
		const before = Date.now();
		const answer = await post(await signed(OSS_TOKEN_METHOD, {merchant_code: 'a/b c'}));
		const model = answer.json['wdk_iot_wombat_common_gettoken_response'].result.model;
		const verified = sts.verify(model.access_key_id, model.security_token);
		assert.ok(verified.ok);
		assert.equal(verified.credentials.accessKeySecret, model.access_key_secret);
		assert.equal(verified.credentials.dir, 'uploads/a_b_c/', 'merchant code sanitised');
		assert.equal(verified.credentials.bucket, 'topsec-dev');
		const expiresAt = parseTopTime(model.expiration_time);
		assert.ok(expiresAt !== undefined, model.expiration_time);
		assert.ok(Math.abs(expiresAt - (before + 3_600_000)) < 5000, `${model.expiration_time} is not ≈ now + 1 h`);
	});

	it('gettoken without params uses the default dir', async () => {
		const answer = await post(await signed(OSS_TOKEN_METHOD, {}));
		assert.equal(answer.json['wdk_iot_wombat_common_gettoken_response'].result.model.dir, 'uploads/default/');
	});

	it('answers XML for format=xml, and by default', async () => {
		for (const format of ['xml', undefined]) {
			const answer = await secToken({open_id: 'o1'}, {system: {format}});
			assert.equal(answer.contentType, 'text/xml;charset=UTF-8');
			assert.match(
				answer.text,
				/^<\?xml version="1\.0" encoding="utf-8" \?><top_sec_token_get_response><sec_token>[A-Za-z0-9_-]{40}<\/sec_token><expire_time>7200<\/expire_time><request_id>[a-z0-9]{13}<\/request_id><\/top_sec_token_get_response>$/,
			);
		}
		const error = await secToken({open_id: 'o1'}, {system: {format: 'xml'}, sign: 'BAD'});
		assert.match(error.text, /^<\?xml version="1\.0" encoding="utf-8" \?><error_response><code>25<\/code><msg>Invalid signature<\/msg><request_id>[a-z0-9]{13}<\/request_id><\/error_response>$/);
	});

	it('XML nests objects and escapes text', async () => {
		const gettoken = await post(await signed(OSS_TOKEN_METHOD, {}, {system: {format: 'xml'}}));
		assert.match(gettoken.text, /<wdk_iot_wombat_common_gettoken_response><result><success>true<\/success><msg_code>SUCCESS<\/msg_code>.*<model><access_key_id>STS\./);
		const echo = await post(await signed('taobao.topsec.echo', {text: '<&>'}, {system: {format: 'xml'}}));
		assert.match(echo.text, /<topsec_echo_response><echo>&lt;&amp;&gt;<\/echo><note>&lt;a &amp; &quot;b&quot;&gt;<\/note><request_id>/);
	});

	it('decodes Chinese values (body and query) and signs them as UTF-8', async () => {
		const answer = await secToken({open_id: '张三', oeid: '淘宝 用户+1'}, {signMethod: 'hmac-sha256'});
		assert.ok(answer.json['top_sec_token_get_response'], answer.text);
		assert.deepEqual(emulator.calls.at(-1)?.params, {open_id: '张三', oeid: '淘宝 用户+1'});

		const res = await fetch(`${server.url}?${new URLSearchParams(await signed(SEC_TOKEN_METHOD, {ieid: '李四'}, {signMethod: 'hmac'}))}`);
		const viaGet = await read(res);
		assert.ok(viaGet.json['top_sec_token_get_response'], viaGet.text);
		assert.deepEqual(emulator.calls.at(-1)?.params, {ieid: '李四'});
	});

	it('merges query and body params, the body winning', async () => {
		const params = await signed(SEC_TOKEN_METHOD, {open_id: 'from-body'});
		const {method, app_key, timestamp, v, sign_method, format, sign, ...business} = params;
		const answer = await post(business, {query: {method: method!, app_key: app_key!, timestamp: timestamp!, v: v!, sign_method: sign_method!, format: format!, sign: sign!, open_id: 'from-query'}});
		assert.ok(answer.json['top_sec_token_get_response'], answer.text);
		assert.deepEqual(emulator.calls.at(-1)?.params, {open_id: 'from-body'});
	});

	it('does not sign empty values, and compares signatures case-insensitively', async () => {
		const params = await signed(SEC_TOKEN_METHOD, {open_id: 'o1'});
		const answer = await post({...params, ieid: '', sign: params['sign']!.toLowerCase()});
		assert.ok(answer.json['top_sec_token_get_response'], answer.text);
	});

	it('accepts an epoch-milliseconds timestamp and a timestamp within the skew', async () => {
		assert.ok((await secToken({open_id: 'o1'}, {system: {timestamp: String(Date.now())}})).json['top_sec_token_get_response']);
		assert.ok((await secToken({open_id: 'o1'}, {system: {timestamp: formatTopTime(Date.now() - 9 * 60_000)}})).json['top_sec_token_get_response']);
		assert.ok((await secToken({open_id: 'o1'}, {system: {timestamp: formatTopTime(Date.now() + 9 * 60_000)}})).json['top_sec_token_get_response']);
	});

	it('simplify=true drops the response root (JSON)', async () => {
		const answer = await secToken({open_id: 'o1'}, {system: {simplify: 'true'}});
		assert.match(answer.json['sec_token'], /^[A-Za-z0-9_-]{40}$/);
		assert.equal(answer.json['top_sec_token_get_response'], undefined);
		const error = await secToken({open_id: 'o1'}, {system: {simplify: 'true'}, sign: 'BAD'});
		assertError(error, 25);
	});

	it('secToken lifetime is configurable at runtime', async () => {
		emulator.setSecTokenTtlSeconds(60);
		assert.equal((await secToken()).json['top_sec_token_get_response'].expire_time, 60);
	});

	it('a custom responder answers a method of its own', async () => {
		const answer = await post(await signed('taobao.topsec.echo', {text: '你好'}));
		assert.deepEqual(answer.json['topsec_echo_response'].echo, '你好');
	});
});

describe('gateway errors', () => {
	it('21 Missing method', async () => {
		assertError(await post(await signed(undefined, {open_id: 'o1'})), 21, 'Missing method');
	});
	it('22 Invalid method', async () => {
		assertError(await post(await signed('taobao.no.such.api', {})), 22, 'Invalid method');
	});
	it('28 Missing app key', async () => {
		assertError(await secToken({open_id: 'o1'}, {system: {app_key: undefined}}), 28, 'Missing app key');
	});
	it('29 Invalid app Key', async () => {
		const error = assertError(await secToken({open_id: 'o1'}, {system: {app_key: '999'}}), 29, 'Invalid app Key');
		assert.equal(error.sub_code, 'isv.appkey-not-exists');
	});
	it('24 Missing signature', async () => {
		assertError(await secToken({open_id: 'o1'}, {sign: ''}), 24, 'Missing signature');
	});
	it('25 Invalid signature (wrong secret, tampered param, unknown sign_method)', async () => {
		const error = assertError(await secToken({open_id: 'o1'}, {secret: 'wrong'}), 25, 'Invalid signature');
		assert.equal(error.sub_code, undefined);
		assert.ok(!JSON.stringify(error).includes(DEFAULT_APP_SECRET), 'never reveals the secret');
		const params = await signed(SEC_TOKEN_METHOD, {open_id: 'o1'});
		assertError(await post({...params, open_id: 'o2'}), 25);
		assertError(await secToken({open_id: 'o1'}, {signMethod: 'hmac', system: {sign_method: 'sha1'}}), 25);
		assertError(await secToken({open_id: 'o1'}, {signMethod: 'hmac-sha256', system: {sign_method: 'hmac'}}), 25);
	});
	it('30 Missing timestamp', async () => {
		assertError(await secToken({open_id: 'o1'}, {system: {timestamp: undefined}}), 30, 'Missing timestamp');
	});
	it('31 Invalid timestamp: bad format', async () => {
		for (const timestamp of ['2026/01/01 10:00:00', 'yesterday', '2026-02-31 10:00:00', new Date().toISOString()]) {
			assertError(await secToken({open_id: 'o1'}, {system: {timestamp}}), 31, 'Invalid timestamp');
		}
	});
	it('31 Invalid timestamp: skew beyond 10 minutes, both directions', async () => {
		assertError(await secToken({open_id: 'o1'}, {system: {timestamp: formatTopTime(Date.now() - 11 * 60_000)}}), 31);
		assertError(await secToken({open_id: 'o1'}, {system: {timestamp: formatTopTime(Date.now() + 11 * 60_000)}}), 31);
		// A UTC wall clock (the classic bug) is 8 hours off.
		const utc = new Date().toISOString().slice(0, 19).replace('T', ' ');
		assertError(await secToken({open_id: 'o1'}, {system: {timestamp: utc}}), 31);
	});
	it('32 Missing version', async () => {
		assertError(await secToken({open_id: 'o1'}, {system: {v: undefined}}), 32, 'Missing version');
	});
	it('33 Invalid version / 34 Unsupported version', async () => {
		assertError(await secToken({open_id: 'o1'}, {system: {v: 'two'}}), 33, 'Invalid version');
		assertError(await secToken({open_id: 'o1'}, {system: {v: '1.0'}}), 34, 'Unsupported version');
	});
	it('23 Invalid format (answered in XML, TOP\'s default)', async () => {
		assertError(await formatError(), 23, 'Invalid format');
	});
	it('40 Missing required arguments', async () => {
		const error = assertError(await secToken({}), 40, 'Missing required arguments:open_id|oeid|ieid');
		assert.equal(error.sub_code, 'isv.missing-parameter:open_id|oeid|ieid');
	});
	it('41 Invalid arguments', async () => {
		const error = assertError(await post(await signed(OSS_TOKEN_METHOD, {scenes_code: 'abc'})), 41, 'Invalid arguments:scenes_code');
		assert.equal(error.sub_code, 'isv.invalid-parameter:scenes_code');
		assert.match(error.sub_msg ?? '', /scenes_code/);
		assertError(await post(await signed(OSS_TOKEN_METHOD, {scenes_code: '1.5'})), 41, 'Invalid arguments:scenes_code');
		assertError(await secToken({open_id: 'x'.repeat(129)}), 41, 'Invalid arguments:open_id');
		assertError(await secToken({open_id: 'o1', extra: '1'}), 41, 'Invalid arguments:extra');
	});
	it('47 Invalid encoding (bytes that are not UTF-8, or another charset)', async () => {
		const params = new URLSearchParams(await signed(SEC_TOKEN_METHOD, {open_id: 'o1'}));
		const bad = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: `${params}&oeid=%FF%FE`});
		assertError(await read(bad), 47);
		const gbk = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded; charset=GBK'}, body: params});
		assertError(await read(gbk), 47);
	});
	it('checks in the gateway order: method, app key, sign, timestamp, version, signature, params', async () => {
		assertError(await post(await signed(undefined, {}, {system: {app_key: undefined, timestamp: undefined}})), 21);
		assertError(await post(await signed(SEC_TOKEN_METHOD, {}, {system: {app_key: '999'}, sign: ''})), 29);
		assertError(await post(await signed(SEC_TOKEN_METHOD, {}, {system: {timestamp: 'x'}, sign: ''})), 24);
		assertError(await post(await signed(SEC_TOKEN_METHOD, {}, {system: {timestamp: 'x', v: undefined}})), 31);
		assertError(await post(await signed(SEC_TOKEN_METHOD, {}, {system: {v: undefined}, secret: 'wrong'})), 32);
		assertError(await post(await signed(SEC_TOKEN_METHOD, {}, {secret: 'wrong'})), 25);
	});
	it('answers only GET and POST, and refuses bodies over 1 MiB; other paths are 404', async () => {
		const put = await fetch(server.url, {method: 'PUT', body: 'x'});
		assert.equal(put.status, 405);
		await put.text();
		const big = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: `open_id=${'x'.repeat(1024 * 1024)}`});
		assert.equal(big.status, 413);
		await big.text();
		const other = await fetch(server.url.replace('/router/rest', '/nope'));
		assert.equal(other.status, 404);
		await other.text();
	});
});

/** 23 needs its own helper: the error for an unknown format is rendered in TOP's default format, XML. */
async function formatError(): Promise<Answer> {
	const answer = await secToken({open_id: 'o1'}, {system: {format: 'yaml'}});
	assert.equal(answer.contentType, 'text/xml;charset=UTF-8');
	const code = /<code>(\d+)<\/code>/.exec(answer.text)?.[1];
	const msg = /<msg>([^<]*)<\/msg>/.exec(answer.text)?.[1];
	const requestId = /<request_id>([^<]*)<\/request_id>/.exec(answer.text)?.[1];
	return {...answer, json: {error_response: {code: Number(code), msg, request_id: requestId}}};
}

describe('faults', () => {
	it('delay holds the answer back (later requests overtake it)', async () => {
		emulator.inject({kind: 'delay', ms: 300, method: SEC_TOKEN_METHOD});
		const order: string[] = [];
		const slow = secToken({open_id: 'slow'}).then((answer) => {
			order.push('slow');
			return answer;
		});
		// Let the slow one reach the emulator first.
		while (emulator.count(SEC_TOKEN_METHOD) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		const fast = secToken({open_id: 'fast'}).then((answer) => {
			order.push('fast');
			return answer;
		});
		const [slowAnswer, fastAnswer] = await Promise.all([slow, fast]);
		assert.deepEqual(order, ['fast', 'slow']);
		assert.ok(slowAnswer.json['top_sec_token_get_response'], 'a delayed request is answered normally');
		assert.ok(fastAnswer.json['top_sec_token_get_response']);
		assert.equal(emulator.calls[0]?.fault, 'delay');
	});

	it('http answers a bare status', async () => {
		emulator.inject({kind: 'http', status: 503});
		const answer = await secToken();
		assert.equal(answer.status, 503);
		assert.match(answer.contentType, /^text\/html/);
		assert.match(answer.text, /503 Service Unavailable/);
		assert.equal(emulator.calls[0]?.status, 503);
		assert.ok((await secToken()).json['top_sec_token_get_response'], 'used once by default');
	});

	it('isp answers code 15 with an isp sub code', async () => {
		emulator.inject({kind: 'isp'});
		emulator.inject({kind: 'isp', subCode: 'isp.unknown-error'});
		const first = assertError(await secToken(), 15, 'Remote service error');
		assert.equal(first.sub_code, 'isp.remote-service-timeout');
		assert.equal(assertError(await secToken(), 15).sub_code, 'isp.unknown-error');
		assert.ok((await secToken()).json['top_sec_token_get_response']);
	});

	it('error answers any error_response', async () => {
		emulator.inject({kind: 'error', code: 7, msg: 'App Call Limited', subCode: 'accesscontrol.limited', subMsg: 'This ban will last for 1 more seconds'});
		const error = assertError(await secToken(), 7, 'App Call Limited');
		assert.equal(error.sub_code, 'accesscontrol.limited');
		assert.equal(error.sub_msg, 'This ban will last for 1 more seconds');
	});

	it('drop closes the connection without an answer', async () => {
		emulator.inject({kind: 'drop'});
		await assert.rejects(secToken());
		assert.equal(emulator.calls[0]?.fault, 'drop');
		assert.equal(emulator.calls[0]?.status, 0);
		assert.ok((await secToken()).json['top_sec_token_get_response']);
	});

	it('business-failure answers HTTP 200 with result.success=false, for gettoken only by default', async () => {
		emulator.inject({kind: 'business-failure', msgCode: 'NO_PERMISSION', msgInfo: '无权限'});
		assert.ok((await secToken()).json['top_sec_token_get_response'], 'sec token get is not a target');
		const answer = await post(await signed(OSS_TOKEN_METHOD, {merchant_code: 'm1'}));
		assert.equal(answer.status, 200);
		const body = answer.json['wdk_iot_wombat_common_gettoken_response'];
		assert.deepEqual(body.result, {success: false, msg_code: 'NO_PERMISSION', msg_info: '无权限'});
		assert.match(body.request_id, /^[a-z0-9]{13}$/);
		assert.equal(emulator.count(OSS_TOKEN_METHOD, {ok: false}), 1);
		assert.equal(emulator.calls.at(-1)?.subCode, 'NO_PERMISSION');
	});

	it('times counts down; Infinity lasts until cleared', async () => {
		emulator.inject({kind: 'isp', times: 2});
		assertError(await secToken(), 15);
		assertError(await secToken(), 15);
		assert.ok((await secToken()).json['top_sec_token_get_response']);
		emulator.inject({kind: 'http', status: 502, times: Infinity});
		for (let i = 0; i < 4; i++) assert.equal((await secToken()).status, 502);
		emulator.clearFaults();
		assert.ok((await secToken()).json['top_sec_token_get_response']);
	});

	it('method scopes a fault; faults are consumed in FIFO order, one per request', async () => {
		emulator.inject({kind: 'http', status: 503, method: OSS_TOKEN_METHOD});
		emulator.inject({kind: 'isp'});
		emulator.inject({kind: 'error', code: 7, msg: 'App Call Limited'});
		assertError(await secToken(), 15, 'Remote service error');
		assert.equal((await post(await signed(OSS_TOKEN_METHOD, {}))).status, 503);
		assertError(await post(await signed(OSS_TOKEN_METHOD, {})), 7);
		assert.ok((await secToken()).json['top_sec_token_get_response']);
	});

	it('an answer fault waits for a request that passes the gateway checks', async () => {
		emulator.inject({kind: 'isp'});
		assertError(await secToken({open_id: 'o1'}, {secret: 'wrong'}), 25);
		assertError(await secToken(), 15);
		emulator.inject({kind: 'http', status: 503});
		assert.equal((await secToken({open_id: 'o1'}, {secret: 'wrong'})).status, 503, 'transport faults hit any request');
	});

	it('refuses malformed faults', () => {
		assert.throws(() => emulator.inject({kind: 'http', status: 42}), TypeError);
		assert.throws(() => emulator.inject({kind: 'isp', times: 0}), TypeError);
		assert.throws(() => emulator.inject({kind: 'nope'} as never), TypeError);
	});
});

describe('call log', () => {
	it('records every call, failed ones too, with business params only', async () => {
		const start = Date.now();
		await secToken({open_id: 'o1'}, {signMethod: 'hmac'});
		await secToken({open_id: 'o1'}, {secret: 'wrong'});
		emulator.inject({kind: 'isp'});
		await secToken({oeid: 'e1'});
		await post(await signed(OSS_TOKEN_METHOD, {scenes_code: '2'}, {signMethod: 'hmac-sha256'}));
		await post(await signed(OSS_TOKEN_METHOD, {scenes_code: 'abc'}));

		assert.equal(emulator.calls.length, 5);
		const [first, second, third, fourth, fifth] = emulator.calls;
		assert.deepEqual({...first, at: 0}, {at: 0, method: SEC_TOKEN_METHOD, appKey: DEFAULT_APP_KEY, signMethod: 'hmac', params: {open_id: 'o1'}, status: 200});
		assert.ok(first!.at >= start);
		assert.equal(second?.errorCode, 25);
		assert.equal(third?.fault, 'isp');
		assert.equal(third?.errorCode, 15);
		assert.equal(third?.subCode, 'isp.remote-service-timeout');
		assert.equal(fourth?.signMethod, 'hmac-sha256');
		assert.deepEqual(fourth?.params, {scenes_code: '2'});
		assert.equal(fifth?.subCode, 'isv.invalid-parameter:scenes_code');

		assert.equal(emulator.count(), 5);
		assert.equal(emulator.count(SEC_TOKEN_METHOD), 3);
		assert.equal(emulator.count(SEC_TOKEN_METHOD, {ok: true}), 1);
		assert.equal(emulator.count(SEC_TOKEN_METHOD, {ok: false}), 2);
		assert.equal(emulator.count(OSS_TOKEN_METHOD, {ok: true}), 1);
		emulator.clearCalls();
		assert.equal(emulator.count(), 0);
	});
});
