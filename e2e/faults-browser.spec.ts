// Fault matrix, browser side: a client clock 20 minutes off (and one that jumps mid-upload), a reload in the middle
// of an upload, the network going away and coming back, a tab closed while it holds the refresh lock, IndexedDB
// refusing writes (quota) and a database upgrade blocked by another tab.
import {expect, finishUpload, MB, openHarness, progressAtLeast, SEC, settle, shiftPageClock, startUpload, test, uploadInPage, verifyCase, type UploadSpec} from './faults-kit.ts';
import {startServers} from './servers.ts';

const MINUTES_20 = 20 * 60_000;
// Longer than the retries of a request last without the offline wait (5 full-jitter backoffs, ~4.6 s on average).
const OFFLINE_MS = 8000;

for (const [label, shift] of [['ahead', MINUTES_20], ['behind', -MINUTES_20]] as const) {
	test(`client clock 20 minutes ${label}: corrected from the proxy's serverTime, OSS never sees the skew`, async ({page, servers}) => {
		await shiftPageClock(page, shift);
		await openHarness(page, servers);
		expect(Math.abs((await page.evaluate(() => Date.now())) - shift - Date.now())).toBeLessThan(5000);
		const spec: UploadSpec = {size: 10 * MB, seed: shift > 0 ? 301 : 302, identity: `clock-${label}`, partSize: 2 * MB};
		const outcome = await uploadInPage(page, servers, spec);
		// The client's corrected clock is the proxy's, within a second or two.
		const corrected = await page.evaluate(() => window.faultClient!.now());
		expect(Math.abs(corrected - Date.now())).toBeLessThan(5000);
		expect(servers.emulators.oss.log.filter((entry) => entry.code === 'RequestTimeTooSkewed')).toHaveLength(0);
		// Expiries are kept on the page's own clock: the token still counts as fresh 20 minutes "off".
		const token = await page.evaluate(() => window.faultClient!.getSecToken());
		expect(token.source).toBe('memory');
		await verifyCase(page, servers, `client clock 20 min ${label}`, spec, outcome, {faults: 1});
	});
}

test('client clock jumps 20 minutes mid-upload: RequestTimeTooSkewed, ServerTime adopted, same parts retried', async ({page, servers}) => {
	await shiftPageClock(page, 0);
	await openHarness(page, servers);
	// Slow parts, so the jump surely lands mid-upload even on a busy machine.
	servers.emulators.oss.inject({kind: 'delay', ms: 300, match: {partNumber: true}, times: 1000});
	const spec: UploadSpec = {size: 16 * MB, seed: 303, identity: 'clock-jump', partSize: MB, concurrency: 2};
	await startUpload(page, servers, spec);
	await progressAtLeast(page, 0.3);
	await page.evaluate((ms) => window.setClockShift!(ms), MINUTES_20);
	const outcome = await finishUpload(page, spec);
	const skewed = servers.emulators.oss.log.filter((entry) => entry.code === 'RequestTimeTooSkewed');
	expect(skewed.length).toBeGreaterThan(0);
	expect(Math.abs((await page.evaluate(() => window.faultClient!.now())) - Date.now())).toBeLessThan(5000);
	await verifyCase(page, servers, 'client clock jumps 20 min mid-upload (RequestTimeTooSkewed)', spec, outcome, {faults: skewed.length});
});

test('page reload mid-upload: the next page resumes the same multipart upload', async ({page, servers}) => {
	const {oss} = servers.emulators;
	await openHarness(page, servers);
	// Slow parts, so the reload surely lands mid-upload even on a busy machine.
	oss.inject({kind: 'delay', ms: 400, match: {partNumber: true}, times: 1000});
	const spec: UploadSpec = {size: 24 * MB, seed: 304, identity: 'reloader', partSize: MB, concurrency: 3};
	await startUpload(page, servers, spec);
	await progressAtLeast(page, 0.4);
	await page.reload();
	oss.clearFaults();
	await settle(servers);
	const partPuts = (from = 0) => oss.log.slice(from).filter((entry) => entry.method === 'PUT' && entry.query['partNumber']);
	const before = partPuts().filter((entry) => entry.status === 200);
	const uploadId = before[0]!.query['uploadId']!;
	const doneBefore = new Set(before.map((entry) => Number(entry.query['partNumber'])));
	expect(doneBefore.size).toBeGreaterThanOrEqual(4);
	expect(doneBefore.size).toBeLessThan(24);
	const mark = oss.log.length;

	await page.waitForFunction(() => window.topsecReady === true);
	const outcome = await uploadInPage(page, servers, spec);
	const after = partPuts(mark);
	expect(after.every((entry) => entry.query['uploadId'] === uploadId)).toBe(true);
	const resent = after.filter((entry) => doneBefore.has(Number(entry.query['partNumber'])));
	expect(resent.map((entry) => entry.query['partNumber']), 'parts stored before the reload were sent again').toEqual([]);
	expect(outcome.result.partsSent).toBe(24 - doneBefore.size);
	await verifyCase(page, servers, 'page reload mid-upload (resume)', spec, outcome, {faults: 1, partsBeforeReload: doneBefore.size, partsAfterReload: outcome.result.partsSent});
});

test('the browser goes offline mid-upload and comes back: the upload waits and completes', async ({context, page, servers}) => {
	await openHarness(page, servers);
	servers.emulators.oss.inject({kind: 'delay', ms: 300, match: {partNumber: true}, times: 1000});
	const spec: UploadSpec = {size: 16 * MB, seed: 305, identity: 'offline', partSize: MB, concurrency: 2};
	await startUpload(page, servers, spec);
	await progressAtLeast(page, 0.3);
	await context.setOffline(true);
	await page.waitForTimeout(OFFLINE_MS);
	const whileOffline = await page.evaluate(() => ({done: window.faultUpload!.done === true, error: window.faultUpload!.error, online: navigator.onLine}));
	expect(whileOffline).toEqual({done: false, error: undefined, online: false});
	await context.setOffline(false);
	const outcome = await finishUpload(page, spec);
	await verifyCase(page, servers, `browser offline for ${OFFLINE_MS / 1000} s mid-upload`, spec, outcome, {faults: 1, offlineMs: OFFLINE_MS});
});

test('a tab closed while it holds the refresh lock: the other tab takes over', async ({context}) => {
	// Servers of its own, with a proxy that waits long enough for TOP that tab A surely still holds the lock when it
	// is closed (the shared ones give up after 1.5 s, and A would retry, get its token and let go by itself).
	const servers = await startServers({timeoutMs: 60_000});
	try {
		const [a, b] = [await context.newPage(), await context.newPage()];
		await openHarness(a, servers);
		await openHarness(b, servers);
		const {top} = servers.emulators;
		top.inject({kind: 'delay', ms: 30_000, method: SEC});
		const identity = {openId: 'lock-holder'};
		// Tab A takes the lock and waits for the (slow) gateway.
		await a.evaluate(({proxy, identity}) => {
			const client = window.topsec.createClient({proxy, identity});
			void client.getSecToken().catch(() => {});
		}, {proxy: servers.proxyUrl, identity});
		await expect.poll(() => top.calls.filter((call) => call.method === SEC).length).toBe(1);
		// Tab B asks too, and queues behind A's lock.
		await b.evaluate(({proxy, identity}) => {
			const client = window.topsec.createClient({proxy, identity});
			window.faultClient = client;
			(window as unknown as {tokenB: Promise<unknown>}).tokenB = client.getSecToken();
		}, {proxy: servers.proxyUrl, identity});
		await expect.poll(() => b.evaluate(async () => (await navigator.locks.query()).pending?.length ?? 0)).toBe(1);
		await a.close();
		const token = await b.evaluate(async () => (window as unknown as {tokenB: Promise<{source: string; token: string}>}).tokenB);
		expect(token.source).toBe('network');
		expect(top.calls.filter((call) => call.method === SEC)).toHaveLength(2);

		const spec: UploadSpec = {size: 4 * MB, seed: 306, identity: 'lock-holder'};
		const outcome = await uploadInPage(b, servers, spec);
		await verifyCase(b, servers, 'tab closed holding the refresh lock', spec, outcome, {faults: 1});
	} finally {
		await servers.close();
	}
});

test('IndexedDB refuses every write (QuotaExceededError, aborted transactions): tokens and uploads go on', async ({page, servers}) => {
	await page.addInitScript(() => {
		const put = IDBObjectStore.prototype.put;
		let writes = 0;
		IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
			// Reads work (the client's first read is its storage probe, so it believes in IndexedDB), but the disk is full
			// from the first write on.
			writes++;
			(window as unknown as {refusedWrites: number}).refusedWrites = writes;
			if (writes % 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
			const request = put.call(this, value, key);
			this.transaction.abort();
			return request;
		};
	});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 12 * MB, seed: 307, identity: 'quota', partSize: MB};
	const outcome = await uploadInPage(page, servers, spec);
	const state = await page.evaluate(async () => ({
		kind: window.faultClient!.storage.kind,
		refused: (window as unknown as {refusedWrites: number}).refusedWrites,
		token: (await window.faultClient!.getSecToken()).source,
	}));
	expect(state.kind).toBe('indexeddb');
	expect(state.refused).toBeGreaterThanOrEqual(5);
	expect(state.token).toBe('memory');
	await verifyCase(page, servers, 'IndexedDB quota errors', spec, outcome, {faults: state.refused});
});

test('a database upgrade blocked by another tab: the probe times out, memory is used, the upload completes', async ({context, servers}) => {
	const [holder, page] = [await context.newPage(), await context.newPage()];
	await openHarness(holder, servers);
	// The other tab holds the database open, ignores `versionchange`, and asks for a newer version: the upgrade is
	// blocked, and every later open of that database (the client's probe) queues behind it.
	const blocked = await holder.evaluate(
		() =>
			new Promise<string>((resolve) => {
				const first = indexedDB.open('topsec');
				first.onupgradeneeded = () => first.result.createObjectStore('records');
				first.onsuccess = () => {
					const db = first.result;
					(window as unknown as {held: IDBDatabase}).held = db;
					const upgrade = indexedDB.open('topsec', db.version + 1);
					upgrade.onblocked = () => resolve('blocked');
					upgrade.onsuccess = () => resolve('not blocked');
				};
				first.onerror = () => resolve(`error ${first.error?.name}`);
			}),
	);
	expect(blocked).toBe('blocked');
	const warnings: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'warning' && message.text().includes('[topsec]')) warnings.push(message.text());
	});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 12 * MB, seed: 308, identity: 'blocked-upgrade', partSize: MB};
	const outcome = await uploadInPage(page, servers, spec);
	expect(await page.evaluate(() => window.faultClient!.storage.kind)).toBe('memory');
	expect(warnings).toHaveLength(1);
	expect(warnings[0]).toContain('IndexedDB is unavailable');
	await verifyCase(page, servers, 'blocked IndexedDB upgrade (memory fallback)', spec, outcome, {faults: 1});
});
