// topsec/miniapp in Chromium, against a STAND-IN for the mini-program runtime (e2e/pages/miniapp-standin.js): the
// stand-in replaces Alipay's `my` and WeChat's `wx` — it is not them — copying their documented callback shapes,
// storage limits and uploadFile form, and sending every request and upload over real HTTP to the real proxy and the
// OSS emulator. The built dist/miniapp.js is what runs. Domain allowlists, the absent Origin header and the engines'
// own globals are not reproduced (see docs/miniapp.md).
import {createHash} from 'node:crypto';
import {test, expect, type Servers} from './servers.ts';
import type {Page} from '@playwright/test';

declare global {
	interface Window {
		topsec: typeof import('../src/index.ts');
		topsecReady?: boolean;
	}
}

const SEC = 'taobao.top.sec.token.get';
const GETTOKEN = 'taobao.wdk.iot.wombat.common.gettoken';
const KB = 1024;

async function openHarness(page: Page, servers: Servers) {
	await page.goto(`${servers.pageOrigin}/`);
	await page.waitForFunction(() => window.topsecReady === true);
}

for (const platform of ['alipay', 'wechat'] as const) {
	const global = platform === 'alipay' ? 'my' : 'wx';

	test(`${global}: secToken over ${global}.request, kept in ${global} storage across an app restart`, async ({page, servers}) => {
		await openHarness(page, servers);
		const result = await page.evaluate(
			async ({proxy, platform}) => {
				const {createStandIn} = await import('/miniapp-standin.js');
				const miniapp = await import('topsec/miniapp');
				const runtime = createStandIn(platform);
				const make = () =>
					window.topsec.createClient({
						identity: {openId: `${platform}-user`},
						transport: miniapp.createMiniappTransport(runtime.api, {proxy}),
						storage: miniapp.createMiniappStorage(runtime.api),
					});
				const first = make();
				const [a, b] = await Promise.all([first.getSecToken(), first.getSecToken()]);
				// An app restart: new client, same storage.
				const second = make();
				const c = await second.getSecToken();
				const stored = [...runtime.storage.entries()];
				await second.clear();
				return {a, b, c, kind: second.storage.kind, stored, afterClear: [...runtime.storage.keys()], requests: runtime.calls.filter((call) => call.name === 'request').length};
			},
			{proxy: servers.proxyUrl, platform},
		);
		expect(result.a.source).toBe('network');
		expect(result.b.token).toBe(result.a.token);
		expect(result.c).toMatchObject({source: 'storage', token: result.a.token});
		expect(result.kind).toBe('miniapp');
		expect(result.requests).toBe(1);
		expect(servers.emulators.top.count(SEC)).toBe(1);
		// One small record, stored as JSON text under the client's namespace; clear() removes it.
		expect(result.stored).toHaveLength(1);
		expect(result.stored[0]![0]).toMatch(/^topsec:.*sectoken$/);
		expect(result.stored[0]![1].length).toBeLessThan(2 * KB);
		expect(result.afterClear).toEqual([]);
	});

	test(`${global}: uploadFile sends a signed PostObject form through ${global}.uploadFile and the file lands intact`, async ({page, servers}) => {
		await openHarness(page, servers);
		const result = await page.evaluate(
			async ({proxy, platform}) => {
				const {createStandIn} = await import('/miniapp-standin.js');
				const {makeFile, sha256} = await import('/upload-helpers.js');
				const miniapp = await import('topsec/miniapp');
				const runtime = createStandIn(platform);
				const file = makeFile(300 * 1024, 9, 'photo.jpg');
				runtime.files.set('wxfile://tmp/photo.jpg', file);
				const client = window.topsec.createClient({
					identity: {openId: `${platform}-uploader`},
					transport: miniapp.createMiniappTransport(runtime.api, {proxy}),
					storage: miniapp.createMiniappStorage(runtime.api),
				});
				const progress: Array<{loaded: number; total: number}> = [];
				const upload = await miniapp.uploadFile(runtime.api, client, {filePath: 'wxfile://tmp/photo.jpg', credentials: {merchantCode: 'm1'}, onProgress: (p) => progress.push(p)});
				const call = runtime.calls.find((c) => c.name === 'uploadFile');
				if (!call) throw new Error('the stand-in recorded no uploadFile call');
				return {upload, sourceSha256: await sha256(file), progress, fields: Object.keys(call.formData), fieldName: call.fieldName, fileType: call.fileType};
			},
			{proxy: servers.proxyUrl, platform},
		);
		expect(result.upload.key).toMatch(/^uploads\/m1\/\d{4}-\d{2}-\d{2}\/[a-z0-9]+-photo\.jpg$/);
		expect(result.upload.url).toBe(`http://topsec-dev.oss-cn-hangzhou.localhost:${servers.emulators.port}/${result.upload.key}`);
		const object = servers.emulators.oss.getObject('topsec-dev', result.upload.key);
		expect(object, 'object is stored').toBeTruthy();
		expect(createHash('sha256').update(object!.body).digest('hex')).toBe(result.sourceSha256);
		// A V4 policy with the STS token, the file as field `file`; Alipay's required fileType is sent.
		expect(result.fields).toEqual(expect.arrayContaining(['key', 'policy', 'x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-signature', 'x-oss-security-token', 'success_action_status']));
		expect(result.fieldName).toBe('file');
		expect(result.fileType).toBe('image');
		expect(result.progress.at(-1)).toEqual({loaded: expect.any(Number), total: expect.any(Number)});
		expect(result.progress.at(-1)!.loaded).toBe(result.progress.at(-1)!.total);
		expect(servers.emulators.oss.log.filter((e) => e.method === 'POST').map((e) => e.status)).toEqual([200]);
		// Alipay passes response headers on, so the ETag comes back; WeChat's uploadFile has none.
		if (platform === 'alipay') expect(result.upload.etag).toBe(object!.etag);
		else expect(result.upload.etag).toBeUndefined();
	});

	test(`${global}: proxy refusals come back typed, transient failures are retried, expired credentials renewed once`, async ({page, servers}) => {
		await openHarness(page, servers);
		servers.emulators.top.inject({kind: 'isp', method: SEC});
		servers.emulators.top.inject({kind: 'http', status: 503, method: SEC});
		// The first upload attempt meets credentials that expired on the way.
		servers.emulators.oss.inject({kind: 'expire-credentials', match: {method: 'POST'}, times: 1});
		const result = await page.evaluate(
			async ({proxy, platform}) => {
				const {createStandIn} = await import('/miniapp-standin.js');
				const miniapp = await import('topsec/miniapp');
				const runtime = createStandIn(platform);
				const transport = miniapp.createMiniappTransport(runtime.api, {proxy});
				const refused = await transport({method: 'taobao.user.seller.get', params: {}}, {}).then(
					() => undefined,
					(error: {name: string; status: number; subCode: string}) => ({name: error.name, status: error.status, subCode: error.subCode}),
				);
				const client = window.topsec.createClient({identity: {openId: `${platform}-retry`}, transport, storage: miniapp.createMiniappStorage(runtime.api)});
				const token = await client.getSecToken();
				runtime.files.set('/tmp/note.txt', new Blob(['a note from a mini-program']));
				const upload = await miniapp.uploadFile(runtime.api, client, {filePath: '/tmp/note.txt', key: 'uploads/m1/miniapp-note.txt', credentials: {merchantCode: 'm1'}, contentType: 'text/plain'});
				const outside = await miniapp.uploadFile(runtime.api, client, {filePath: '/tmp/note.txt', key: 'uploads/other/x.txt', credentials: {merchantCode: 'm1'}}).then(
					() => 'uploaded',
					(error: Error) => `${error.name}: ${error.message}`,
				);
				return {refused, source: token.source, key: upload.key, outside};
			},
			{proxy: servers.proxyUrl, platform},
		);
		expect(result.refused).toEqual({name: 'ProxyError', status: 404, subCode: 'topsec.method-not-allowed'});
		expect(result.source).toBe('network');
		expect(servers.emulators.top.count(SEC)).toBe(3);
		expect(servers.emulators.oss.getObject('topsec-dev', 'uploads/m1/miniapp-note.txt')?.body.toString()).toBe('a note from a mini-program');
		expect(servers.emulators.oss.getObject('topsec-dev', 'uploads/m1/miniapp-note.txt')?.contentType).toBe('text/plain');
		expect(servers.emulators.oss.log.some((e) => e.code === 'SecurityTokenExpired')).toBe(true);
		expect(servers.emulators.top.count(GETTOKEN, {ok: true})).toBe(2);
		expect(result.outside).toMatch(/^TypeError: `key` must start with the credentials' dir "uploads\/m1\/"/);
	});

	test(`${global}: storage refuses a value over the per-key limit with a TypeError, before the runtime would`, async ({page, servers}) => {
		await openHarness(page, servers);
		const result = await page.evaluate(async (platform) => {
			const {createStandIn} = await import('/miniapp-standin.js');
			const miniapp = await import('topsec/miniapp');
			const runtime = createStandIn(platform);
			const outcome = (promise: Promise<unknown>) => promise.then(() => 'stored', (error: Error) => `${error.name}: ${error.message}`);
			const limited = miniapp.createMiniappStorage(runtime.api, platform === 'wechat' ? {maxValueBytes: 1024 * 1024} : {});
			const small = await outcome(limited.set('k-small', {text: '中'.repeat(1000)}));
			const big = await outcome(limited.set('k-big', {text: 'x'.repeat(platform === 'wechat' ? 1100 * 1024 : 210 * 1024)}));
			// Just under Alipay's 200 KB in characters, over it in UTF-8 bytes: the limit counts bytes.
			const multibyte = await outcome(limited.set('k-multibyte', {text: '中'.repeat(platform === 'wechat' ? 360 * 1024 : 70 * 1024)}));
			const roundTrip = await limited.get('k-small');
			const missing = await limited.get('k-nothing');
			const badOption = await outcome(Promise.resolve().then(() => miniapp.createMiniappStorage(runtime.api, {maxValueBytes: 2 * 1024 * 1024})));
			return {small, big, multibyte, roundTrip, missing, keys: await limited.keys('k-'), badOption, rejectedByRuntime: runtime.calls.filter((c) => c.name === 'setStorage').length};
		}, platform);
		expect(result.small).toBe('stored');
		expect(result.big).toMatch(/^TypeError: The value for "k-big" is \d+ bytes as JSON; mini-program storage takes at most \d+ bytes per key/);
		expect(result.multibyte).toMatch(/^TypeError: The value for "k-multibyte"/);
		expect(result.roundTrip).toEqual({text: '中'.repeat(1000)});
		expect(result.missing).toBeUndefined();
		expect(result.keys).toEqual(['k-small']);
		expect(result.badOption).toMatch(/^TypeError: `maxValueBytes`/);
		expect(result.rejectedByRuntime).toBe(1); // only the small value reached setStorage
	});
}
