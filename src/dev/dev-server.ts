/**
`topsec dev`: the emulators, the proxy at `/top` and the demo pages, all on one origin.
@module
*/
import {randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import type {IncomingMessage, ServerResponse} from 'node:http';
import {fileURLToPath} from 'node:url';
import {createNodeHandler, createProxy} from '../proxy/index.js';
import {startEmulators, type EmulatorServer} from '../emulator/server.js';
import {createLeakCheck} from './leak-check.js';
import {createStaticHandler} from './static.js';

/** Options of {@link startDevServer}. */
export type DevServerOptions = {
	port?: number;
	host?: string;
	/**
	The app secret the emulated gateway and the proxy share. It stays in this process: the demo page can only ask
	`POST /__dev/leak-check` whether a text contains it.
	@default a random secret per run
	*/
	appSecret?: string;
	/** More page origins the proxy accepts (a page on a bundler's dev server, say); its own are always allowed. */
	allowOrigins?: readonly string[];
	log?: (line: string) => void;
};

/** Largest body `POST /__dev/leak-check` reads. */
const LEAK_CHECK_MAX_BYTES = 4 * 1024 * 1024;

/** The package root: the nearest folder up with a package.json (from dist/cli.js, or from src/dev/ under tsx). */
function packageRoot(): string {
	for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
		if (existsSync(fileURLToPath(new URL('package.json', dir)))) return fileURLToPath(dir);
		if (dir.pathname === '/') throw new Error('topsec dev: cannot find the package root');
	}
}

/** Starts everything `topsec dev` serves; resolves once listening. */
export async function startDevServer(options: DevServerOptions = {}): Promise<EmulatorServer> {
	const root = packageRoot();
	const serveStatic = createStaticHandler([
		{prefix: '/assets/', dir: `${root}dist/demo/`},
		// The <script> build and its source map, and nothing else of dist/.
		{prefix: '/dist/topsec.iife.min.js.map', dir: `${root}dist/`, index: 'topsec.iife.min.js.map'},
		{prefix: '/dist/topsec.iife.min.js', dir: `${root}dist/`, index: 'topsec.iife.min.js'},
		{prefix: '/', dir: `${root}demo/`, index: 'index.html'},
	]);
	const appSecret = options.appSecret ?? randomBytes(18).toString('base64url');
	const containsSecret = createLeakCheck(appSecret);
	let proxyNode: ReturnType<typeof createNodeHandler> | undefined;
	let origins: string[] = [];

	const leakCheck = async (req: IncomingMessage, res: ServerResponse) => {
		const answer = (status: number, body: unknown) => {
			res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store'});
			res.end(JSON.stringify(body));
		};
		// Only the demo's own pages may ask: another site must not use this as an oracle for the secret.
		if (req.method !== 'POST' || !origins.includes(req.headers.origin ?? '')) return answer(403, {error: 'POST from the dev server origin only'});
		let size = 0;
		const chunks: Buffer[] = [];
		for await (const chunk of req as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size > LEAK_CHECK_MAX_BYTES) return answer(413, {error: 'too large'});
			chunks.push(chunk);
		}
		const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {texts?: unknown};
		if (!Array.isArray(body.texts) || !body.texts.every((text) => typeof text === 'string')) return answer(400, {error: '`texts` must be an array of strings'});
		answer(200, {leaks: (body.texts as string[]).map(containsSecret)});
	};

	const emulators = await startEmulators({
		...(options.port === undefined ? {} : {port: options.port}),
		host: options.host ?? '127.0.0.1',
		appSecret,
		fallback(req, res) {
			const path = (req.url ?? '').split('?')[0];
			if (proxyNode && path === '/top') return proxyNode(req, res);
			if (path === '/__dev/leak-check') {
				leakCheck(req, res).catch(() => {
					if (!res.headersSent) res.writeHead(400, {'content-type': 'application/json'});
					res.end('{"error":"bad request"}');
				});
				return;
			}
			serveStatic(req, res).then((served) => {
				if (!served) {
					res.writeHead(404, {'content-type': 'text/plain; charset=utf-8'});
					res.end('Not found');
				}
			}, () => res.destroy());
		},
	});
	origins = [emulators.url, `http://localhost:${emulators.port}`];
	const proxy = createProxy({
		appKey: emulators.appKey,
		appSecret,
		gateway: emulators.gateway,
		allowOrigins: [...origins, ...(options.allowOrigins ?? [])],
		...(options.log ? {log: (entry) => options.log!(`proxy ${entry.status} ${entry.method ?? '-'} ${entry.subCode ?? ''}`.trim())} : {}),
	});
	proxyNode = createNodeHandler(proxy, {path: '/top'});
	return emulators;
}
