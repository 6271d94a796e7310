// The proxy on an edge runtime: the BUILT dist/proxy.js, bundled by esbuild into one ES module with a Cloudflare
// Workers entry (the recipe in docs/deploy.md), runs in workerd — Cloudflare's runtime — through miniflare, with the
// TOP emulator as its upstream on 127.0.0.1. Every request is real HTTP to miniflare's URL, and every signature is
// checked by the emulator as TOP would. No Node API is available to the worker (no nodejs_compat flag).
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {Miniflare} from 'miniflare';
import {startEmulators, type EmulatorServer} from 'topsec/emulator';

const root = fileURLToPath(new URL('..', import.meta.url));
const SEC = 'taobao.top.sec.token.get';
const GETTOKEN = 'taobao.wdk.iot.wombat.common.gettoken';
const SHOP = 'https://shop.example.com';

// The Workers entry from docs/deploy.md, word for word apart from the import path.
const WORKER_ENTRY = `
import {createProxy, proxyOptionsFromEnv} from './dist/proxy.js';

let proxy;
export default {
	async fetch(request, env) {
		proxy ??= createProxy({
			...proxyOptionsFromEnv(env),
			rateLimits: {perIp: {limit: 300, windowMs: 60_000}, ip: (req) => req.headers.get('cf-connecting-ip') ?? undefined},
		});
		return proxy(request);
	},
};
`;

let emulators: EmulatorServer;
let script: string;
let mf: Miniflare | undefined;
let url: URL;

async function startWorker(signMethod: string) {
	await mf?.dispose();
	mf = new Miniflare({
		modules: true,
		script,
		compatibilityDate: '2024-09-23',
		// Secrets and vars as `wrangler secret put` / [vars] would give them.
		bindings: {TOP_APP_KEY: emulators.appKey, TOP_APP_SECRET: emulators.appSecret, TOP_GATEWAY: emulators.gateway, TOP_SIGN_METHOD: signMethod, TOPSEC_ALLOW_ORIGINS: SHOP},
		port: 0,
		host: '127.0.0.1',
	});
	url = await mf.ready;
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
	fetch(url, {method: 'POST', headers: {'content-type': 'application/json', origin: SHOP, ...headers}, body: typeof body === 'string' ? body : JSON.stringify(body)});

before(async () => {
	emulators = await startEmulators();
	const bundle = await build({
		stdin: {contents: WORKER_ENTRY, resolveDir: root, sourcefile: 'worker.js', loader: 'js'},
		bundle: true,
		format: 'esm',
		platform: 'neutral',
		target: 'es2022',
		write: false,
		// Only the node:http adapter mentions node:*, behind a dynamic import the worker never reaches.
		external: ['node:*'],
		logLevel: 'silent',
	});
	script = bundle.outputFiles[0]!.text;
});

after(async () => {
	await mf?.dispose();
	await emulators?.close();
});

describe('createProxy on workerd (miniflare)', {timeout: 60_000}, () => {
	test('the bundle is one module with no static Node import', () => {
		assert.doesNotMatch(script, /^\s*import\s[^(]*from\s*["']node:/m);
		assert.doesNotMatch(script, /\brequire\(/);
	});

	for (const signMethod of ['hmac-sha256', 'hmac', 'md5']) {
		test(`secToken, grant and OSS credentials through the worker, signed ${signMethod}`, async () => {
			await startWorker(signMethod);
			emulators.top.clearCalls();
			const identity = {open_id: `edge-${signMethod}`};
			const first = await post({method: SEC, params: identity});
			assert.equal(first.status, 200);
			assert.equal(first.headers.get('access-control-allow-origin'), SHOP);
			assert.equal(first.headers.get('cache-control'), 'no-store');
			const answer = (await first.json()) as {top_sec_token_get_response: {sec_token: string}; topsec: {serverTime: number; grant: {value: string; expiresAt: number}}};
			assert.ok(answer.top_sec_token_get_response.sec_token);
			assert.match(answer.topsec.grant.value, /^v1\./);
			assert.ok(Math.abs(answer.topsec.serverTime - Date.now()) < 60_000);
			// The emulator checked the signature with the method the worker chose.
			assert.deepEqual(
				emulators.top.calls.map((call) => [call.method, call.signMethod, call.status]),
				[[SEC, signMethod, 200]],
			);

			const credentials = await post({method: GETTOKEN, params: {merchant_code: 'm1', scenes_code: 1}, grant: answer.topsec.grant.value});
			assert.equal(credentials.status, 200);
			const model = ((await credentials.json()) as {wdk_iot_wombat_common_gettoken_response: {result: {success: boolean; model: {bucket: string; dir: string}}}}).wdk_iot_wombat_common_gettoken_response.result;
			assert.equal(model.success, true);
			assert.deepEqual([model.model.bucket, model.model.dir], ['topsec-dev', 'uploads/m1/']);
			assert.equal(emulators.top.count(GETTOKEN, {ok: true}), 1);
		});
	}

	test('refusals: forged grant, foreign origin, unlisted method, bad JSON, preflight', async () => {
		await startWorker('hmac-sha256');
		emulators.top.clearCalls();
		const token = (await (await post({method: SEC, params: {open_id: 'edge-refusals'}})).json()) as {topsec: {grant: {value: string}}};
		const forged = token.topsec.grant.value.slice(0, -4) + 'AAAA';
		const subCode = async (response: Response) => [response.status, ((await response.json()) as {error_response?: {sub_code?: string}}).error_response?.sub_code];
		assert.deepEqual(await subCode(await post({method: GETTOKEN, params: {}, grant: forged})), [403, 'topsec.grant-invalid']);
		assert.deepEqual(await subCode(await post({method: GETTOKEN, params: {}})), [403, 'topsec.grant-missing']);
		assert.deepEqual(await subCode(await post({method: SEC, params: {open_id: 'x'}}, {origin: 'https://evil.example'})), [403, 'topsec.origin-forbidden']);
		assert.deepEqual(await subCode(await post({method: 'taobao.user.seller.get', params: {}})), [404, 'topsec.method-not-allowed']);
		assert.deepEqual(await subCode(await post('{nope')), [400, 'topsec.bad-json']);
		const preflight = await fetch(url, {method: 'OPTIONS', headers: {origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type'}});
		assert.equal(preflight.status, 204);
		assert.equal(preflight.headers.get('access-control-allow-origin'), SHOP);
		await preflight.arrayBuffer();
		// Only the one good call reached TOP.
		assert.deepEqual(
			emulators.top.calls.map((call) => call.method),
			[SEC],
		);
	});

	test('upstream failures become 502 answers, not worker crashes', async () => {
		await startWorker('hmac-sha256');
		emulators.top.inject({kind: 'http', status: 500, method: SEC, times: 10});
		const response = await post({method: SEC, params: {open_id: 'edge-upstream'}});
		const body = (await response.json()) as {error_response: {sub_code: string}};
		assert.equal(response.status, 502);
		assert.match(body.error_response.sub_code, /^topsec\.upstream-/);
		emulators.top.clearFaults();
	});
});
