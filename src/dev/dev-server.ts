/**
`topsec dev`: the emulators, the proxy at `/top` and the demo pages, all on one origin.
@module
*/
import {createNodeHandler, createProxy} from '../proxy/index.js';
import {startEmulators, type EmulatorServer} from '../emulator/server.js';
import {createStaticHandler} from './static.js';
import {fileURLToPath} from 'node:url';

/** Options of {@link startDevServer}. */
export type DevServerOptions = {port?: number; host?: string; log?: (line: string) => void};

/** Starts everything `topsec dev` serves; resolves once listening. */
export async function startDevServer(options: DevServerOptions = {}): Promise<EmulatorServer> {
	const root = fileURLToPath(new URL('../', import.meta.url)); // dist/ → package root
	const serveStatic = createStaticHandler([
		{prefix: '/assets/', dir: `${root}dist/demo/`},
		{prefix: '/', dir: `${root}demo/`, index: 'index.html'},
	]);
	let proxyNode: ReturnType<typeof createNodeHandler> | undefined;
	const emulators = await startEmulators({
		...(options.port === undefined ? {} : {port: options.port}),
		host: options.host ?? '127.0.0.1',
		fallback(req, res) {
			if (proxyNode && (req.url ?? '').split('?')[0] === '/top') return proxyNode(req, res);
			serveStatic(req, res).then((served) => {
				if (!served) {
					res.writeHead(404, {'content-type': 'text/plain; charset=utf-8'});
					res.end('Not found');
				}
			}, () => res.destroy());
		},
	});
	const origins = [emulators.url, `http://localhost:${emulators.port}`];
	const proxy = createProxy({
		appKey: emulators.appKey,
		appSecret: emulators.appSecret,
		gateway: emulators.gateway,
		allowOrigins: origins,
		...(options.log ? {log: (entry) => options.log!(`proxy ${entry.status} ${entry.method ?? '-'} ${entry.subCode ?? ''}`.trim())} : {}),
	});
	proxyNode = createNodeHandler(proxy, {path: '/top'});
	return emulators;
}
