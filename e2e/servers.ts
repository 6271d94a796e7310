// Real servers for the e2e specs: the emulators, the proxy, and a page server on its own origin, all over HTTP
// on 127.0.0.1. They run inside the Playwright worker, so a spec can read the emulators' call logs directly.
import {randomBytes} from 'node:crypto';
import {appendFileSync, mkdirSync} from 'node:fs';
import {createServer, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {test as base} from '@playwright/test';
import {startEmulators, type EmulatorServer} from 'topsec/emulator';
import {createProxy, serveProxy, type FetchHandler, type ProxyOptions} from 'topsec/proxy';
import {createStaticHandler} from '../src/dev/static.ts';

export type Servers = {
	emulators: EmulatorServer;
	/** Proxy URL (`http://127.0.0.1:<port>/top`). */
	proxyUrl: string;
	/** Page origin (`http://127.0.0.1:<port>`), different from the proxy's. */
	pageOrigin: string;
	/** Every line the proxy logged. */
	proxyLog: string[];
};

// ---------------------------------------------------------------------------------------------------------------
// Traffic capture for test/leaks.test.ts: every answer the proxy and the OSS emulator send (status, headers, body,
// and the proxy request that asked for it) and every proxy log line, appended as NDJSON to one file per worker.

/** Where the capture goes; `npm test` empties it before the e2e run and scans it after. */
export const TRAFFIC_DIR = new URL('../test-results/traffic/', import.meta.url).pathname;
const MAX_CAPTURED_BODY = 64 * 1024;
let trafficFile: string | undefined;

function capture(entry: Record<string, unknown>): void {
	try {
		if (!trafficFile) {
			mkdirSync(TRAFFIC_DIR, {recursive: true});
			trafficFile = `${TRAFFIC_DIR}${process.pid}-${Date.now()}.ndjson`;
		}
		appendFileSync(trafficFile, `${JSON.stringify(entry)}\n`);
	} catch {
		// A capture that fails shows up as missing traffic in the scan, never as a failing spec.
	}
}

/** Records what `handler` answers, with the JSON request that asked for it (small POST bodies only). */
function captureProxy(handler: FetchHandler, maxBodyBytes: number): FetchHandler {
	return async (request, info) => {
		const length = Number(request.headers.get('content-length'));
		const asked = request.method === 'POST' && length > 0 && length <= maxBodyBytes ? request.clone().text().catch(() => '') : Promise.resolve('');
		const response = await handler(request, info);
		Promise.all([asked, response.clone().text()])
			.then(([requestBody, body]) => capture({source: 'proxy', request: requestBody, status: response.status, headers: [...response.headers], body}))
			.catch(() => {});
		return response;
	};
}

/** Records a node:http answer as sent: the raw header block and the first {@link MAX_CAPTURED_BODY} bytes of the body. */
function captureNodeResponse(res: ServerResponse, source: string, what: string): void {
	const chunks: Buffer[] = [];
	let size = 0;
	const keep = (chunk: unknown, encoding: unknown) => {
		if (chunk === null || chunk === undefined || typeof chunk === 'function' || size >= MAX_CAPTURED_BODY) return;
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
		chunks.push(bytes.subarray(0, MAX_CAPTURED_BODY - size));
		size += bytes.length;
	};
	const write = res.write;
	const end = res.end;
	res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
		keep(chunk, rest[0]);
		return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
	} as typeof res.write;
	res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
		keep(chunk, rest[0]);
		return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
	} as typeof res.end;
	res.once('close', () => {
		const raw = (res as ServerResponse & {_header?: unknown})._header;
		capture({source, request: what, status: res.headersSent ? res.statusCode : 0, headers: typeof raw === 'string' ? raw : JSON.stringify(res.getHeaders()), body: Buffer.concat(chunks).toString('latin1')});
	});
}

async function listen(server: Server): Promise<number> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

export async function startServers(proxyOptions: Partial<ProxyOptions> = {}): Promise<Servers & {close(): Promise<void>}> {
	const root = new URL('../', import.meta.url).pathname;
	const serveStatic = createStaticHandler([
		{prefix: '/dist/', dir: `${root}dist/`},
		{prefix: '/node_modules/ky/', dir: `${root}node_modules/ky/`},
		{prefix: '/node_modules/idb-keyval/', dir: `${root}node_modules/idb-keyval/`},
		{prefix: '/', dir: `${root}e2e/pages/`, index: 'harness.html'},
	]);
	const pages = createServer((req, res) => {
		serveStatic(req, res).then((served) => {
			if (!served) res.writeHead(404).end();
		});
	});
	const pagePort = await listen(pages);
	const pageOrigin = `http://127.0.0.1:${pagePort}`;
	// A fresh app secret per run, so the leak scan can tell it from anything a build could contain.
	const emulators = await startEmulators({appSecret: `e2e-app-secret-${randomBytes(16).toString('hex')}`});
	capture({source: 'secrets', appSecret: emulators.appSecret});
	emulators.server.prependListener('request', (req, res) => {
		if (emulators.oss.matchesHost(req.headers.host)) captureNodeResponse(res, 'oss', `${req.method} ${req.url}`);
	});
	const proxyLog: string[] = [];
	const options: ProxyOptions = {
		appKey: emulators.appKey,
		appSecret: emulators.appSecret,
		gateway: emulators.gateway,
		allowOrigins: [pageOrigin],
		...proxyOptions,
		log: (entry) => {
			const line = JSON.stringify(entry);
			proxyLog.push(line);
			capture({source: 'log', line});
			proxyOptions.log?.(entry);
		},
	};
	const proxy = await serveProxy(captureProxy(createProxy(options), options.maxBodyBytes ?? 16_384), {port: 0, host: '127.0.0.1', path: '/top'});
	return {
		emulators,
		proxyUrl: proxy.url,
		pageOrigin,
		proxyLog,
		async close() {
			pages.closeAllConnections();
			await Promise.all([new Promise((resolve) => pages.close(resolve)), proxy.close(), emulators.close()]);
		},
	};
}

/** `servers` is started once per worker; each test gets clean logs and no leftover faults. */
export const test = base.extend<{servers: Servers}, {workerServers: Servers & {close(): Promise<void>}}>({
	workerServers: [
		async ({}, use) => {
			const servers = await startServers();
			await use(servers);
			await servers.close();
		},
		{scope: 'worker'},
	],
	servers: async ({workerServers}, use) => {
		workerServers.emulators.top.clearCalls();
		workerServers.emulators.top.clearFaults();
		workerServers.emulators.oss.clearLog();
		workerServers.emulators.oss.clearFaults();
		workerServers.proxyLog.length = 0;
		await use(workerServers);
	},
});

export {expect} from '@playwright/test';

/** Lets in-flight requests that were cut off finish on the emulator before its log is read. */
export async function settle(servers: Servers) {
	let last = '';
	for (let stable = 0; stable < 3; ) {
		await new Promise((resolve) => setTimeout(resolve, 100));
		const now = JSON.stringify(servers.emulators.oss.log.map((e) => e.status));
		stable = now === last ? stable + 1 : 0;
		last = now;
	}
}
