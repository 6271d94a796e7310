/*
Cross-check against an independent TOP client: `node-taobao-topclient` (a port of Taobao's official Node SDK) signs
with md5 and posts a form through the `request` package. Whatever it signs, the emulator must accept; with the wrong
secret, refuse with code 25. Its `REST_URL` option points it at the emulator, so no monkey-patching is needed.

The SDK formats `timestamp` in the host's local zone (as the official SDKs do, written for hosts in China), so this
file pins the process to UTC+8; node:test runs each test file in its own process, so nothing else is affected.
*/
process.env['TZ'] = 'Asia/Shanghai';

import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import {after, before, describe, it} from 'node:test';
import {createStsIssuer} from '../src/emulator/sts.js';
import {createTopEmulator, DEFAULT_APP_KEY, DEFAULT_APP_SECRET, listenTopEmulator, type TopEmulatorServer} from '../src/emulator/top/index.js';
import {OSS_TOKEN_METHOD, SEC_TOKEN_METHOD} from '../src/top/apis.js';

type TopClientError = Error & {code?: number; sub_code?: string};
type TopClient = {execute(method: string, params: Record<string, string>, httpMethod?: 'GET' | 'POST'): Promise<Record<string, unknown> | null>};
type TopClientConstructor = new (options: {appkey: string; appsecret: string; REST_URL?: string}) => TopClient;

// The package is CommonJS compiled by Babel: the class is `exports.default`.
const TopClient = (createRequire(import.meta.url)('node-taobao-topclient') as {default: TopClientConstructor}).default;

const emulator = createTopEmulator({sts: createStsIssuer()});
let server: TopEmulatorServer;
before(async () => {
	server = await listenTopEmulator(emulator);
});
after(() => server.close());

const client = (appsecret = DEFAULT_APP_SECRET) => new TopClient({appkey: DEFAULT_APP_KEY, appsecret, REST_URL: server.url});

describe('node-taobao-topclient against the emulator', () => {
	it('the host is pinned to UTC+8, as the SDK expects', () => {
		assert.equal(new Date(0).getHours(), 8);
	});

	it('a sec token get it signs (md5, POST) is accepted', async () => {
		const answer = await client().execute(SEC_TOKEN_METHOD, {open_id: 'o1', oeid: 'e1'});
		assert.match(String(answer?.['sec_token']), /^[A-Za-z0-9_-]{40}$/);
		assert.equal(answer?.['expire_time'], 7200);
		const call = emulator.calls.at(-1);
		assert.equal(call?.signMethod, 'md5');
		assert.equal(call?.status, 200);
		assert.deepEqual(call?.params, {open_id: 'o1', oeid: 'e1'});
	});

	it('Chinese values and GET (query string) are accepted too', async () => {
		const post = await client().execute(SEC_TOKEN_METHOD, {open_id: '张三 李四'});
		assert.ok(post?.['sec_token']);
		assert.deepEqual(emulator.calls.at(-1)?.params, {open_id: '张三 李四'});
		const get = await client().execute(SEC_TOKEN_METHOD, {ieid: '淘宝'}, 'GET');
		assert.ok(get?.['sec_token']);
		assert.deepEqual(emulator.calls.at(-1)?.params, {ieid: '淘宝'});
	});

	it('gettoken it signs is accepted', async () => {
		const answer = await client().execute(OSS_TOKEN_METHOD, {merchant_code: 'm1', scenes_code: '1'});
		const result = answer?.['result'] as {success: boolean; model: {dir: string}};
		assert.equal(result.success, true);
		assert.equal(result.model.dir, 'uploads/m1/');
	});

	it('the same call with a wrong secret is refused with code 25', async () => {
		await assert.rejects(client('not-the-secret').execute(SEC_TOKEN_METHOD, {open_id: 'o1'}), (error: TopClientError) => {
			assert.equal(error.code, 25);
			assert.match(error.message, /^Invalid signature, code 25/);
			return true;
		});
		assert.equal(emulator.calls.at(-1)?.errorCode, 25);
		assert.equal(emulator.count(SEC_TOKEN_METHOD, {ok: false}), 1);
	});
});
