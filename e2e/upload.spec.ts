import {createHash} from 'node:crypto';
import {test, expect, settle, type Servers} from './servers.ts';
import type {Page} from '@playwright/test';

declare global {
	interface Window {
		topsecOss: typeof import('../src/oss/index.ts');
		topsec: typeof import('../src/index.ts');
		topsecReady?: boolean;
		uploadState?: {progress: Array<{loaded: number; total: number}>};
	}
}

const MB = 1024 * 1024;
const GETTOKEN = 'taobao.wdk.iot.wombat.common.gettoken';

async function openHarness(page: Page, servers: Servers) {
	await page.goto(`${servers.pageOrigin}/`);
	await page.waitForFunction(() => window.topsecReady === true);
}

/** Runs one upload in the page; returns the result, the source's sha256 and the progress events. */
async function uploadInPage(page: Page, servers: Servers, size: number, options: {seed?: number; partSize?: number; concurrency?: number; identity?: string} = {}) {
	return page.evaluate(
		async ({proxy, size, seed, partSize, concurrency, identity}) => {
			const {makeFile, sha256} = await import('/upload-helpers.js');
			const file = makeFile(size, seed);
			const client = window.topsec.createClient({proxy, identity: {openId: identity}});
			const progress: Array<{loaded: number; total: number}> = [];
			const result = await window.topsecOss.upload(client, file, {credentials: {merchantCode: 'm1'}, onProgress: (p) => progress.push(p), ...(partSize ? {partSize} : {}), ...(concurrency ? {concurrency} : {})});
			return {result, sourceSha256: await sha256(file), progress};
		},
		{proxy: servers.proxyUrl, size, seed: options.seed ?? 1, partSize: options.partSize, concurrency: options.concurrency, identity: options.identity ?? 'uploader'},
	);
}

function storedSha256(servers: Servers, key: string) {
	const object = servers.emulators.oss.getObject('topsec-dev', key);
	expect(object, `object ${key} is stored`).toBeTruthy();
	return createHash('sha256').update(object!.body).digest('hex');
}

function expectMonotonic(progress: Array<{loaded: number; total: number}>, total: number) {
	expect(progress.length).toBeGreaterThan(1);
	for (let i = 1; i < progress.length; i++) expect(progress[i]!.loaded).toBeGreaterThanOrEqual(progress[i - 1]!.loaded);
	expect(progress.at(-1)).toEqual({loaded: total, total});
	expect(progress.every((p) => p.total === total && p.loaded <= total)).toBe(true);
}


const partRequests = (servers: Servers, uploadId?: string) =>
	servers.emulators.oss.log.filter((entry) => entry.method === 'PUT' && entry.query['partNumber'] && (!uploadId || entry.query['uploadId'] === uploadId));

test('3 MB goes up in one signed PUT and arrives intact', async ({page, servers}) => {
	await openHarness(page, servers);
	const {result, sourceSha256, progress} = await uploadInPage(page, servers, 3 * MB);
	expect(result).toMatchObject({bucket: 'topsec-dev', size: 3 * MB, partsSent: 0});
	expect(result.key).toMatch(/^uploads\/m1\/\d{4}-\d{2}-\d{2}\/[a-z0-9]+-file-3145728-1\.bin$/);
	expect(result.url).toBe(`http://topsec-dev.oss-cn-hangzhou.localhost:${servers.emulators.port}/${result.key}`);
	expect(storedSha256(servers, result.key)).toBe(sourceSha256);
	expectMonotonic(progress, 3 * MB);
	expect(servers.emulators.oss.log.filter((e) => e.method === 'PUT')).toHaveLength(1);
});

test('64 MB goes multipart with progress, parts in parallel, CRC-64 checked @core', async ({page, servers}) => {
	await openHarness(page, servers);
	const {result, sourceSha256, progress} = await uploadInPage(page, servers, 64 * MB, {seed: 2});
	expect(result.partsSent).toBe(8); // the default part size, 8 MiB
	expect(storedSha256(servers, result.key)).toBe(sourceSha256);
	expect(result.crc64).toBe(servers.emulators.oss.getObject('topsec-dev', result.key)!.crc64);
	expectMonotonic(progress, 64 * MB);
	expect(partRequests(servers)).toHaveLength(8);
});

test('abort half-way, reload, upload again: only the missing parts are sent', async ({page, servers}) => {
	await openHarness(page, servers);
	const size = 32 * MB;
	// Slow parts a little so the abort lands mid-upload.
	servers.emulators.oss.inject({kind: 'delay', ms: 150, match: {partNumber: true}, times: 1000});
	const aborted = await page.evaluate(
		async ({proxy, size}) => {
			const {makeFile} = await import('/upload-helpers.js');
			const file = makeFile(size, 3);
			const client = window.topsec.createClient({proxy, identity: {openId: 'resumer'}});
			const controller = new AbortController();
			const upload = window.topsecOss.upload(client, file, {
				credentials: {merchantCode: 'm1'},
				partSize: 1024 * 1024,
				concurrency: 2,
				keepOnAbort: true,
				signal: controller.signal,
				onProgress: ({loaded, total}) => loaded >= total / 2 && controller.abort(new DOMException('user paused', 'AbortError')),
			});
			try {
				await upload;
				return 'finished';
			} catch (error) {
				return (error as Error).name;
			}
		},
		{proxy: servers.proxyUrl, size},
	).catch((e) => String(e));
	expect(aborted).toBe('AbortError');
	servers.emulators.oss.clearFaults();
	// Requests whose bodies fully arrived before the abort may still be finishing on the server: let the log settle.
	await settle(servers);
	const before = partRequests(servers).filter((e) => e.status === 200);
	const uploadId = before[0]!.query['uploadId']!;
	const doneBefore = new Set(before.map((e) => Number(e.query['partNumber'])));
	expect(doneBefore.size).toBeGreaterThanOrEqual(14);
	expect(doneBefore.size).toBeLessThan(32);

	await page.reload();
	await page.waitForFunction(() => window.topsecReady === true);
	servers.emulators.oss.clearLog();
	const {result, sourceSha256} = await uploadInPage(page, servers, size, {seed: 3, partSize: MB, concurrency: 2, identity: 'resumer'});
	const after = partRequests(servers);
	const sentAfter = new Set(after.map((e) => Number(e.query['partNumber'])));
	// Same multipart upload, verified with ListParts, and no part sent twice.
	expect(after.every((e) => e.query['uploadId'] === uploadId)).toBe(true);
	expect(servers.emulators.oss.log.some((e) => e.method === 'GET' && e.query['uploadId'] === uploadId)).toBe(true);
	for (const part of sentAfter) expect(doneBefore.has(part)).toBe(false);
	expect(doneBefore.size + sentAfter.size).toBe(32);
	expect(result.partsSent).toBe(sentAfter.size);
	expect(storedSha256(servers, result.key)).toBe(sourceSha256);
});

test('credentials that expire during the upload are renewed and the upload completes', async ({page, servers}) => {
	await openHarness(page, servers);
	// The 5th part request expires every credential issued so far; the SDK must fetch new ones and go on.
	servers.emulators.oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 4});
	servers.emulators.oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	const {result, sourceSha256} = await uploadInPage(page, servers, 24 * MB, {seed: 4, partSize: MB, concurrency: 3, identity: 'expiring'});
	expect(storedSha256(servers, result.key)).toBe(sourceSha256);
	expect(servers.emulators.oss.log.some((e) => e.code === 'SecurityTokenExpired')).toBe(true);
	expect(servers.emulators.top.count(GETTOKEN, {ok: true})).toBe(2);
});

test('with 10 % of part requests failing (5xx and dropped connections) the upload completes intact', async ({page, servers}) => {
	await openHarness(page, servers);
	servers.emulators.oss.inject({kind: 'http', status: 503, match: {partNumber: true}, probability: 0.05, seed: 7});
	servers.emulators.oss.inject({kind: 'drop', match: {partNumber: true}, probability: 0.05, seed: 11});
	const {result, sourceSha256} = await uploadInPage(page, servers, 40 * MB, {seed: 5, partSize: 512 * 1024, identity: 'flaky'});
	const failures = partRequests(servers).filter((e) => e.status !== 200);
	expect(failures.length).toBeGreaterThan(0);
	expect(storedSha256(servers, result.key)).toBe(sourceSha256);
});

test('a real <form> POST with createPostPolicy fields lands in the emulator (V4 and V1) @core', async ({page, servers}) => {
	await openHarness(page, servers);
	for (const version of ['v4', 'v1'] as const) {
		const key = `uploads/m1/form-${version}.txt`;
		const {url, fields} = await page.evaluate(
			async ({proxy, key, version}) => {
				const client = window.topsec.createClient({proxy, identity: {openId: 'former'}});
				const credentials = await client.getOssCredentials({merchantCode: 'm1'});
				return window.topsecOss.createPostPolicy(credentials, {key, maxSize: 1024 * 1024, version, successActionStatus: 201});
			},
			{proxy: servers.proxyUrl, key, version},
		);
		// Build a plain HTML form as a page would, fill it, and submit it for real.
		await page.setContent(
			`<form method="post" enctype="multipart/form-data" action="${url}">${Object.entries(fields)
				.map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`)
				.join('')}<input type="file" name="file"><button>Upload</button></form>`,
		);
		await page.setInputFiles('input[type=file]', {name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from(`hello from a form (${version})`)});
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(url)),
			// The form's navigation must finish before the next page.goto, or Firefox reports the goto as interrupted.
			page.waitForURL((current) => current.href.startsWith(url)),
			page.click('button'),
		]);
		expect(response.status()).toBe(201);
		expect(servers.emulators.oss.getObject('topsec-dev', key)?.body.toString()).toBe(`hello from a form (${version})`);
		await openHarness(page, servers);
	}
});

test('a key outside the credentials dir is refused before anything is sent', async ({page, servers}) => {
	await openHarness(page, servers);
	const error = await page.evaluate(async ({proxy}) => {
		const client = window.topsec.createClient({proxy, identity: {openId: 'outsider'}});
		try {
			await window.topsecOss.upload(client, new Blob(['x']), {key: 'uploads/other-merchant/x.txt', credentials: {merchantCode: 'm1'}});
			return 'uploaded';
		} catch (e) {
			return `${(e as Error).name}: ${(e as Error).message}`;
		}
	}, {proxy: servers.proxyUrl});
	expect(error).toMatch(/^TypeError: `key` must start with the credentials' dir "uploads\/m1\/"/);
	expect(servers.emulators.oss.log.filter((e) => e.method !== 'OPTIONS')).toHaveLength(0);
});
