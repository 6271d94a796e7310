// Real servers for the e2e specs: the emulators, the proxy, and a page server on its own origin, all over HTTP
// on 127.0.0.1. They run inside the Playwright worker, so a spec can read the emulators' call logs directly.
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {test as base} from '@playwright/test';
import {startEmulators, type EmulatorServer} from '../dist/emulator.js';
import {createProxy, serveProxy, type ProxyOptions} from '../dist/proxy.js';
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
	const emulators = await startEmulators();
	const proxyLog: string[] = [];
	const proxy = await serveProxy(
		createProxy({
			appKey: emulators.appKey,
			appSecret: emulators.appSecret,
			gateway: emulators.gateway,
			allowOrigins: [pageOrigin],
			log: (entry) => proxyLog.push(JSON.stringify(entry)),
			...proxyOptions,
		}),
		{port: 0, host: '127.0.0.1', path: '/top'},
	);
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
