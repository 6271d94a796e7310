// Shared by the fault matrix specs (e2e/faults-*.spec.ts): servers with a short proxy timeout, an upload in the page
// that leaves its client on `window`, and the verdict every case ends with: the stored object is byte for byte the
// source (bytes lost = 0), and the SDK is clean (no checkpoint left, no Web Lock held or waited for, every multipart
// upload it started completed). Each case appends its figures to test-results/fault-matrix/, which the step after
// the e2e run (test/fault-matrix-report.test.ts) sums up.
import {createHash} from 'node:crypto';
import {appendFileSync, mkdirSync} from 'node:fs';
import type {Page} from '@playwright/test';
import {makeBytes} from './pages/upload-helpers.js';
import {test as base, expect, settle, startServers, type Servers} from './servers.ts';

export {settle};

declare global {
	interface Window {
		topsecOss: typeof import('../src/oss/index.ts');
		topsec: typeof import('../src/index.ts');
		topsecReady?: boolean;
		faultClient?: ReturnType<typeof import('../src/index.ts').createClient>;
		faultUpload?: {progress: number; total: number; result?: unknown; error?: string; done?: boolean};
		setClockShift?: (ms: number) => void;
	}
}

export const MB = 1024 * 1024;
export const SEC = 'taobao.top.sec.token.get';
export const GETTOKEN = 'taobao.wdk.iot.wombat.common.gettoken';
/** The proxy's upstream timeout in these specs: a TOP delay longer than this is a timeout (504). */
export const PROXY_TIMEOUT_MS = 1500;
export const BUCKET = 'topsec-dev';

const REPORT_DIR = new URL('../test-results/fault-matrix/', import.meta.url).pathname;

/** Servers per worker, with a proxy that gives up on TOP after {@link PROXY_TIMEOUT_MS}; clean logs per test. */
export const test = base.extend<{servers: Servers}, {faultServers: Servers & {close(): Promise<void>}}>({
	faultServers: [
		async ({}, use) => {
			const servers = await startServers({timeoutMs: PROXY_TIMEOUT_MS});
			await use(servers);
			await servers.close();
		},
		{scope: 'worker'},
	],
	servers: async ({faultServers}, use) => {
		faultServers.emulators.top.clearCalls();
		faultServers.emulators.top.clearFaults();
		faultServers.emulators.oss.clearLog();
		faultServers.emulators.oss.clearFaults();
		faultServers.proxyLog.length = 0;
		await use(faultServers);
		faultServers.emulators.top.clearFaults();
		faultServers.emulators.oss.clearFaults();
	},
});
export {expect};

export async function openHarness(page: Page, servers: Servers) {
	await page.goto(`${servers.pageOrigin}/`);
	await page.waitForFunction(() => window.topsecReady === true);
}

/** The source bytes of `makeFile(size, seed)` in e2e/pages/upload-helpers.js (the same generator), to count lost bytes. */
export const sourceBytes = (size: number, seed: number): Buffer => Buffer.from(makeBytes(size, seed).buffer);

export type UploadSpec = {size: number; seed: number; identity: string; partSize?: number; concurrency?: number; multipartThreshold?: number; retries?: number};
export type UploadOutcome = {result: {bucket: string; key: string; size: number; partsSent: number}; sourceSha256: string};

/**
Starts an upload in the page without waiting for it: its progress, result or error land in `window.faultUpload`,
its client in `window.faultClient`.
*/
export async function startUpload(page: Page, servers: Servers, spec: UploadSpec): Promise<void> {
	await page.evaluate(
		async ({proxy, spec}) => {
			const {makeFile} = await import('/upload-helpers.js');
			const file = makeFile(spec.size, spec.seed);
			const client = window.topsec.createClient({proxy, identity: {openId: spec.identity}});
			window.faultClient = client;
			const state: NonNullable<Window['faultUpload']> = {progress: 0, total: spec.size};
			window.faultUpload = state;
			window.topsecOss
				.upload(client, file, {
					credentials: {merchantCode: 'm1'},
					onProgress: ({loaded}) => (state.progress = loaded),
					...(spec.partSize ? {partSize: spec.partSize} : {}),
					...(spec.concurrency ? {concurrency: spec.concurrency} : {}),
					...(spec.multipartThreshold !== undefined ? {multipartThreshold: spec.multipartThreshold} : {}),
					...(spec.retries !== undefined ? {retries: spec.retries} : {}),
				})
				.then(
					(result) => {
						state.result = result;
						state.done = true;
					},
					(error: Error) => {
						state.error = `${error.name}: ${error.message}`;
						state.done = true;
					},
				);
		},
		{proxy: servers.proxyUrl, spec},
	);
}

/** Waits until the upload in the page has sent at least `fraction` of its bytes. */
export async function progressAtLeast(page: Page, fraction: number, timeout = 30_000) {
	await page.waitForFunction((f) => !!window.faultUpload && (window.faultUpload.done || window.faultUpload.progress >= window.faultUpload.total * f), fraction, {timeout, polling: 20});
}

/** Waits for the upload started by {@link startUpload}; returns its result and the source's SHA-256 (in the page). */
export async function finishUpload(page: Page, spec: UploadSpec, timeout = 45_000): Promise<UploadOutcome> {
	await page.waitForFunction(() => window.faultUpload?.done === true, undefined, {timeout, polling: 50});
	const outcome = await page.evaluate(async (spec) => {
		const {makeFile, sha256} = await import('/upload-helpers.js');
		return {state: window.faultUpload!, sourceSha256: await sha256(makeFile(spec.size, spec.seed))};
	}, spec);
	expect(outcome.state.error, 'the upload failed').toBeUndefined();
	return {result: outcome.state.result as UploadOutcome['result'], sourceSha256: outcome.sourceSha256};
}

/** {@link startUpload} then {@link finishUpload}. */
export async function uploadInPage(page: Page, servers: Servers, spec: UploadSpec): Promise<UploadOutcome> {
	await startUpload(page, servers, spec);
	return finishUpload(page, spec);
}


/** Bytes of `stored` that differ from `source`, plus bytes missing or extra. */
function lostBytes(source: Buffer, stored: Buffer | undefined): number {
	if (!stored) return source.length;
	let lost = Math.abs(source.length - stored.length);
	const common = Math.min(source.length, stored.length);
	if (source.subarray(0, common).equals(stored.subarray(0, common))) return lost;
	for (let i = 0; i < common; i++) if (source[i] !== stored[i]) lost++;
	return lost;
}

export type CaseFigures = {faults: number; [key: string]: unknown};

/**
The verdict of a fault case: the object is stored and equals the source (SHA-256 and byte for byte), and the SDK
state is clean. Records the case's figures for the report.
*/
export async function verifyCase(page: Page, servers: Servers, name: string, spec: UploadSpec, outcome: UploadOutcome, figures: CaseFigures) {
	await settle(servers);
	const {result, sourceSha256} = outcome;
	const object = servers.emulators.oss.getObject(BUCKET, result.key);
	expect(object, `object ${result.key} is stored`).toBeTruthy();
	const storedSha256 = createHash('sha256').update(object!.body).digest('hex');
	const source = sourceBytes(spec.size, spec.seed);
	expect(createHash('sha256').update(source).digest('hex'), 'the source rebuilt in Node matches the page').toBe(sourceSha256);
	const lost = lostBytes(source, object!.body);
	expect(lost, 'bytes lost').toBe(0);
	expect(storedSha256).toBe(sourceSha256);
	expect(result.size).toBe(spec.size);

	// SDK state: no checkpoint left behind, no lock held or waited for in this tab.
	const sdk = await page.evaluate(async () => {
		const client = window.faultClient!;
		let keys: string[] = [];
		try {
			keys = await client.storage.keys(client.namespace);
		} catch {}
		const locks = navigator.locks ? await navigator.locks.query() : {held: [], pending: []};
		return {checkpoints: keys.filter((key) => key.includes('upload:')), held: (locks.held ?? []).length, pending: (locks.pending ?? []).length};
	});
	expect(sdk.checkpoints, 'checkpoints left in storage').toEqual([]);
	expect(sdk.held + sdk.pending, 'Web Locks held or pending').toBe(0);

	// Every multipart upload the SDK used was completed (none left half-done on OSS).
	const log = servers.emulators.oss.log.filter((entry) => entry.key === result.key);
	const uploadIds = new Set(log.filter((entry) => entry.query['uploadId'] && entry.query['partNumber']).map((entry) => entry.query['uploadId']!));
	for (const uploadId of uploadIds) {
		const completed = log.some((entry) => entry.method === 'POST' && entry.query['uploadId'] === uploadId && entry.status === 200);
		const aborted = log.some((entry) => entry.method === 'DELETE' && entry.query['uploadId'] === uploadId && entry.status === 204);
		expect(completed || aborted, `multipart upload ${uploadId} was completed or aborted`).toBe(true);
	}

	const uploaded = servers.emulators.oss.log.filter((entry) => entry.method === 'PUT' || entry.method === 'POST').reduce((sum, entry) => sum + entry.bytes, 0);
	const row = {case: name, size: spec.size, bytesUploaded: uploaded, bytesLost: lost, ...figures};
	console.log(`[fault-matrix] ${JSON.stringify(row)}`);
	try {
		mkdirSync(REPORT_DIR, {recursive: true});
		appendFileSync(`${REPORT_DIR}${process.pid}.ndjson`, `${JSON.stringify(row)}\n`);
	} catch {}
	return row;
}

/** A page whose clock is `shiftMs` off from the start, and can be moved later with `window.setClockShift(ms)`. */
export async function shiftPageClock(page: Page, shiftMs: number) {
	await page.addInitScript((initial) => {
		const RealDate = Date;
		const realNow = RealDate.now.bind(RealDate);
		let shift = initial;
		window.setClockShift = (ms: number) => {
			shift = ms;
		};
		// `new Date()` and `Date.now()` both read the shifted clock; everything else is the real Date.
		const Shifted = function (this: unknown, ...args: unknown[]) {
			if (!new.target) return new RealDate(realNow() + shift).toString();
			return args.length === 0 ? new RealDate(realNow() + shift) : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
		} as unknown as DateConstructor;
		Object.setPrototypeOf(Shifted, RealDate);
		(Shifted as {prototype: Date}).prototype = RealDate.prototype;
		Shifted.now = () => realNow() + shift;
		window.Date = Shifted;
	}, shiftMs);
}
