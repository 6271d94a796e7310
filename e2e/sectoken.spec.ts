import {test, expect, type Servers} from './servers.ts';
import type {Page} from '@playwright/test';

const SEC = 'taobao.top.sec.token.get';
const identity = {openId: 'e2e-open-1', oeid: 'e2e-oeid-1', ieid: 'e2e-ieid-1'};

declare global {
	interface Window {
		topsec: typeof import('../src/index.ts');
		topsecReady?: boolean;
	}
}

async function openHarness(page: Page, servers: Servers) {
	await page.goto(`${servers.pageOrigin}/`);
	await page.waitForFunction(() => window.topsecReady === true);
}

/** Counts requests the page sends to the proxy (preflights excluded). */
function countProxyRequests(page: Page, servers: Servers) {
	const seen: string[] = [];
	page.on('request', (request) => {
		if (request.url().startsWith(servers.proxyUrl) && request.method() === 'POST') seen.push(request.url());
	});
	return seen;
}

test('first call hits the network once; after a reload the token comes from IndexedDB with zero proxy requests @core', async ({page, servers}) => {
	const proxyRequests = countProxyRequests(page, servers);
	await openHarness(page, servers);
	const first = await page.evaluate(
		async ({proxy, identity}) => {
			const client = window.topsec.createClient({proxy, identity});
			const a = await client.getSecToken();
			const b = await client.getSecToken();
			return {a, b, kind: client.storage.kind};
		},
		{proxy: servers.proxyUrl, identity},
	);
	expect(first.a.source).toBe('network');
	expect(first.b.source).toBe('memory');
	expect(first.b.token).toBe(first.a.token);
	expect(first.kind).toBe('indexeddb');
	expect(first.a.expiresAt).toBeGreaterThan(Date.now() + 60 * 60_000); // the emulator's 2 h token
	expect(proxyRequests).toHaveLength(1);
	expect(servers.emulators.top.count(SEC)).toBe(1);

	await page.reload();
	await page.waitForFunction(() => window.topsecReady === true);
	const afterReload = await page.evaluate(
		async ({proxy, identity}) => window.topsec.createClient({proxy, identity}).getSecToken(),
		{proxy: servers.proxyUrl, identity},
	);
	expect(afterReload.source).toBe('storage');
	expect(afterReload.token).toBe(first.a.token);
	expect(proxyRequests).toHaveLength(1);
	expect(servers.emulators.top.count(SEC)).toBe(1);
});

test('20 concurrent calls share one upstream call @core', async ({page, servers}) => {
	await openHarness(page, servers);
	const tokens = await page.evaluate(
		async ({proxy}) => {
			const client = window.topsec.createClient({proxy, identity: {openId: 'concurrent-user'}});
			const results = await Promise.all(Array.from({length: 20}, () => client.getSecToken()));
			return results.map((r) => r.token);
		},
		{proxy: servers.proxyUrl},
	);
	expect(new Set(tokens).size).toBe(1);
	expect(servers.emulators.top.count(SEC)).toBe(1);
});

test('two tabs refreshing at once make one upstream call @core', async ({context, servers}) => {
	const [a, b] = [await context.newPage(), await context.newPage()];
	await openHarness(a, servers);
	await openHarness(b, servers);
	// Slow the gateway so both tabs are surely inside the refresh together.
	servers.emulators.top.inject({kind: 'delay', ms: 400, method: SEC});
	const run = (page: Page) =>
		page.evaluate(async ({proxy}) => {
			const client = window.topsec.createClient({proxy, identity: {openId: 'two-tabs-user'}});
			return client.getSecToken();
		}, {proxy: servers.proxyUrl});
	const [ta, tb] = await Promise.all([run(a), run(b)]);
	expect(ta.token).toBe(tb.token);
	expect([ta.source, tb.source].sort()).toEqual(['network', 'storage']);
	expect(servers.emulators.top.count(SEC)).toBe(1);
});

test('without IndexedDB the client still works, from memory, and says so once', async ({page, servers}) => {
	await page.addInitScript(() => {
		Object.defineProperty(window, 'indexedDB', {get: () => { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); }});
	});
	const warnings: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'warning' && message.text().includes('[topsec]')) warnings.push(message.text());
	});
	await openHarness(page, servers);
	const result = await page.evaluate(async ({proxy}) => {
		const client = window.topsec.createClient({proxy, identity: {openId: 'no-idb-user'}});
		const a = await client.getSecToken();
		const b = await client.getSecToken();
		await client.getSecToken({forceRefresh: true});
		return {a: a.source, b: b.source, kind: client.storage.kind};
	}, {proxy: servers.proxyUrl});
	expect(result).toEqual({a: 'network', b: 'memory', kind: 'memory'});
	expect(warnings).toHaveLength(1);
	expect(warnings[0]).toContain('IndexedDB is unavailable');
});

test('after a reload the stored token costs one readonly IndexedDB transaction (the first read is the probe)', async ({page, servers}) => {
	await openHarness(page, servers);
	await page.evaluate(async ({proxy}) => void (await window.topsec.createClient({proxy, identity: {openId: 'one-read-user'}}).getSecToken()), {proxy: servers.proxyUrl});
	await page.addInitScript(() => {
		const transaction = IDBDatabase.prototype.transaction;
		const modes: string[] = [];
		(window as unknown as {idbModes: string[]}).idbModes = modes;
		IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
			modes.push(args[1] ?? 'readonly');
			return transaction.apply(this, args);
		};
	});
	await page.reload();
	await page.waitForFunction(() => window.topsecReady === true);
	const result = await page.evaluate(async ({proxy}) => {
		const token = await window.topsec.createClient({proxy, identity: {openId: 'one-read-user'}}).getSecToken();
		return {source: token.source, modes: (window as unknown as {idbModes: string[]}).idbModes};
	}, {proxy: servers.proxyUrl});
	expect(result).toEqual({source: 'storage', modes: ['readonly']});
});

test('a database that opens but fails every transaction (some WebViews): memory, said once, tokens still work', async ({page, servers}) => {
	await page.addInitScript(() => {
		IDBDatabase.prototype.transaction = () => {
			throw new DOMException('The database connection is closing.', 'InvalidStateError');
		};
	});
	const warnings: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'warning' && message.text().includes('[topsec]')) warnings.push(message.text());
	});
	await openHarness(page, servers);
	const result = await page.evaluate(async ({proxy}) => {
		const client = window.topsec.createClient({proxy, identity: {openId: 'broken-idb-user'}});
		const [a, b] = await Promise.all([client.getSecToken(), client.getSecToken()]);
		const c = await client.getSecToken();
		const stored = await client.storage.get(`${client.namespace}sectoken`);
		return {sources: [a.source, b.source, c.source], same: a.token === c.token, kind: client.storage.kind, stored: Boolean(stored)};
	}, {proxy: servers.proxyUrl});
	expect(result).toEqual({sources: ['network', 'network', 'memory'], same: true, kind: 'memory', stored: true});
	expect(warnings).toHaveLength(1);
	expect(warnings[0]).toContain('IndexedDB is unavailable');
	expect(servers.emulators.top.count(SEC)).toBe(1);
});

test('the cross-tab lock is taken only when the storage is shared between tabs (not with memory storage)', async ({page, servers}) => {
	await openHarness(page, servers);
	const locks = await page.evaluate(async ({proxy}) => {
		const names: string[] = [];
		const request = navigator.locks.request.bind(navigator.locks);
		navigator.locks.request = ((name: string, ...rest: unknown[]) => (names.push(name), (request as (...args: unknown[]) => Promise<unknown>)(name, ...rest))) as typeof navigator.locks.request;
		const {createClient, createMemoryStorage} = window.topsec;
		const inMemory = await createClient({proxy, identity: {openId: 'lock-memory'}, storage: createMemoryStorage()}).getSecToken();
		const memoryLocks = names.length;
		const inIdb = await createClient({proxy, identity: {openId: 'lock-idb'}}).getSecToken();
		return {sources: [inMemory.source, inIdb.source], memoryLocks, idbLocks: names.length - memoryLocks};
	}, {proxy: servers.proxyUrl});
	expect(locks).toEqual({sources: ['network', 'network'], memoryLocks: 0, idbLocks: 1});
});

test('a corrupt or foreign stored record is discarded and refetched, never thrown', async ({page, servers}) => {
	await openHarness(page, servers);
	const result = await page.evaluate(async ({proxy}) => {
		const identity = {openId: 'corrupt-user'};
		const first = window.topsec.createClient({proxy, identity});
		await first.getSecToken();
		const key = `${first.namespace}sectoken`;
		const outcomes: string[] = [];
		for (const bad of ['garbage', {v: 1, token: 42}, {v: 2, token: 'x'}, {v: 1, ns: 'someone-else', token: 'x', obtainedAt: 1, expiresAt: 9e15}, null]) {
			await first.storage.set(key, bad);
			const fresh = window.topsec.createClient({proxy, identity});
			const t = await fresh.getSecToken();
			outcomes.push(t.source);
		}
		return outcomes;
	}, {proxy: servers.proxyUrl});
	expect(result).toEqual(['network', 'network', 'network', 'network', 'network']);
	expect(servers.emulators.top.count(SEC)).toBe(6);
});

test('TOP errors surface typed; transient ones are retried', async ({page, servers}) => {
	await openHarness(page, servers);
	servers.emulators.top.inject({kind: 'isp', method: SEC});
	servers.emulators.top.inject({kind: 'http', status: 503, method: SEC});
	const retried = await page.evaluate(async ({proxy}) => {
		const t = await window.topsec.createClient({proxy, identity: {openId: 'retry-user'}}).getSecToken();
		return t.source;
	}, {proxy: servers.proxyUrl});
	expect(retried).toBe('network');
	expect(servers.emulators.top.count(SEC)).toBe(3);

	servers.emulators.top.inject({kind: 'error', code: 11, msg: 'Insufficient isv permissions', subCode: 'isv.permission-api-package-limit', method: SEC});
	const error = await page.evaluate(async ({proxy}) => {
		try {
			await window.topsec.createClient({proxy, identity: {openId: 'error-user'}}).getSecToken();
			return undefined;
		} catch (e) {
			const err = e as InstanceType<typeof window.topsec.TopError>;
			return {isTop: window.topsec.isTopError(err), name: err.name, code: err.code, subCode: err.subCode, requestId: err.requestId, message: err.message};
		}
	}, {proxy: servers.proxyUrl});
	expect(error).toMatchObject({isTop: true, name: 'TopError', code: 11, subCode: 'isv.permission-api-package-limit'});
	expect(error?.requestId).toBeTruthy();
});

test('the proxy refuses a foreign origin, an unlisted method, an oversized body, a wrong param type, a missing or forged grant', async ({page, servers}) => {
	await openHarness(page, servers);
	const answers = await page.evaluate(async ({proxy}) => {
		const post = async (body: string) => {
			const response = await fetch(proxy, {method: 'POST', headers: {'content-type': 'application/json'}, body});
			const json = await response.json();
			return {status: response.status, subCode: json.error_response?.sub_code as string | undefined};
		};
		const client = window.topsec.createClient({proxy, identity: {openId: 'refusal-user'}});
		await client.getSecToken();
		const record = (await client.storage.get(`${client.namespace}sectoken`)) as {grant: string};
		const [head, payload, mac] = record.grant.split('.');
		const forged = `${head}.${payload}.${mac!.slice(0, -4)}AAAA`;
		return {
			unlisted: await post(JSON.stringify({method: 'taobao.user.seller.get', params: {}})),
			oversized: await post(JSON.stringify({method: 'taobao.top.sec.token.get', params: {open_id: 'x'.repeat(20_000)}})),
			wrongType: await post(JSON.stringify({method: 'taobao.wdk.iot.wombat.common.gettoken', params: {scenes_code: 'one'}, grant: record.grant})),
			noGrant: await post(JSON.stringify({method: 'taobao.wdk.iot.wombat.common.gettoken', params: {scenes_code: 1}})),
			forgedGrant: await post(JSON.stringify({method: 'taobao.wdk.iot.wombat.common.gettoken', params: {scenes_code: 1}, grant: forged})),
			notJson: await post('{nope'),
			goodGrant: await post(JSON.stringify({method: 'taobao.wdk.iot.wombat.common.gettoken', params: {scenes_code: 1}, grant: record.grant})),
		};
	}, {proxy: servers.proxyUrl});
	expect(answers.unlisted).toEqual({status: 404, subCode: 'topsec.method-not-allowed'});
	expect(answers.oversized).toEqual({status: 413, subCode: 'topsec.body-too-large'});
	expect(answers.wrongType).toEqual({status: 400, subCode: 'topsec.param-type'});
	expect(answers.noGrant).toEqual({status: 403, subCode: 'topsec.grant-missing'});
	expect(answers.forgedGrant).toEqual({status: 403, subCode: 'topsec.grant-invalid'});
	expect(answers.notJson).toEqual({status: 400, subCode: 'topsec.bad-json'});
	expect(answers.goodGrant).toEqual({status: 200, subCode: undefined});
	// Only the two good calls reached TOP.
	expect(servers.emulators.top.calls.map((call) => call.method)).toEqual(['taobao.top.sec.token.get', 'taobao.wdk.iot.wombat.common.gettoken']);

	// A page on an origin that is not allowed (same host, other name) is refused, preflight included.
	const foreign = page.url().replace('127.0.0.1', 'localhost');
	await page.goto(foreign);
	await page.waitForFunction(() => window.topsecReady === true);
	const refused = await page.evaluate(async ({proxy}) => {
		try {
			await window.topsec.createClient({proxy, identity: {openId: 'foreign'}, transport: undefined}).getSecToken();
			return 'no error';
		} catch (e) {
			return (e as Error).name;
		}
	}, {proxy: servers.proxyUrl});
	expect(refused).toBe('ProxyError');
	const preflight = await fetch(servers.proxyUrl, {method: 'OPTIONS', headers: {origin: new URL(foreign).origin, 'access-control-request-method': 'POST'}});
	expect(preflight.status).toBe(403);
	expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
});

test('OSS credentials come through the proxy with the grant', async ({page, servers}) => {
	await openHarness(page, servers);
	const credentials = await page.evaluate(async ({proxy}) => {
		const client = window.topsec.createClient({proxy, identity: {openId: 'oss-user'}});
		const [a, b] = await Promise.all([client.getOssCredentials({merchantCode: 'm1', scenesCode: 1}), client.getOssCredentials({merchantCode: 'm1', scenesCode: 1})]);
		const c = await client.getOssCredentials({merchantCode: 'm1', scenesCode: 1});
		return {same: a.accessKeyId === b.accessKeyId && b.accessKeyId === c.accessKeyId, a};
	}, {proxy: servers.proxyUrl});
	expect(credentials.same).toBe(true);
	expect(credentials.a).toMatchObject({bucket: 'topsec-dev', region: 'cn-hangzhou', dir: 'uploads/m1/'});
	expect(credentials.a.endpoint).toBe(servers.emulators.ossEndpoint);
	expect(credentials.a.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
	expect(servers.emulators.top.count('taobao.wdk.iot.wombat.common.gettoken')).toBe(1);
	// The app secret never reached the page.
	const html = await page.content();
	expect(html).not.toContain(servers.emulators.appSecret);
});
