/**
Both emulators on one port: `POST /router/rest` is the TOP gateway, a Host of `<bucket>.oss-<region>.localhost` is
OSS, and `/__emulator/*` is a small JSON control API (faults, call logs) for tests and the demo's fault switches.
@module
*/
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {createOssEmulator, type OssEmulator, type OssFault} from './oss/index.js';
import {createStsIssuer, type StsIssuer} from './sts.js';
import {createTopEmulator, DEFAULT_APP_KEY, DEFAULT_APP_SECRET, type TopEmulator, type TopEmulatorOptions, type TopFault} from './top/index.js';

/** Options of {@link startEmulators}. */
export type StartEmulatorsOptions = {
	/** @default 0 (any free port) */
	port?: number;
	/** @default '127.0.0.1' */
	host?: string;
	/** @default DEFAULT_APP_KEY */
	appKey?: string;
	/** @default DEFAULT_APP_SECRET */
	appSecret?: string;
	/** OSS region of the emulated bucket. @default 'cn-hangzhou' */
	region?: string;
	/** Emulated bucket. @default 'topsec-dev' */
	bucket?: string;
	/** More TOP emulator options (token lifetimes, custom answers). */
	top?: Partial<Omit<TopEmulatorOptions, 'sts' | 'apps' | 'oss'>>;
	/** Requests neither emulator serves go here (e.g. the dev server's proxy and pages); default 404. */
	fallback?: (req: IncomingMessage, res: ServerResponse) => void;
};

/** A running pair of emulators. */
export type EmulatorServer = {
	/** `http://<host>:<port>` */
	url: string;
	port: number;
	/** The TOP gateway URL (`…/router/rest`). */
	gateway: string;
	/** The OSS endpoint gettoken hands out (`http://oss-<region>.localhost:<port>`). */
	ossEndpoint: string;
	appKey: string;
	appSecret: string;
	top: TopEmulator;
	oss: OssEmulator;
	sts: StsIssuer;
	server: Server;
	close(): Promise<void>;
};

const json = (res: ServerResponse, status: number, body: unknown) => {
	res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store'});
	res.end(JSON.stringify(body));
};

async function readJson(req: IncomingMessage): Promise<unknown> {
	let text = '';
	for await (const chunk of req) {
		text += chunk;
		if (text.length > 65_536) throw new Error('control body too large');
	}
	return text ? JSON.parse(text) : {};
}

/**
Starts both emulators on one port.
@example
```
const emulators = await startEmulators();
// TOP_GATEWAY=emulators.gateway, TOP_APP_KEY=emulators.appKey, TOP_APP_SECRET=emulators.appSecret
emulators.top.inject({kind: 'isp', method: 'taobao.top.sec.token.get'});
```
*/
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<EmulatorServer> {
	const {host = '127.0.0.1', appKey = DEFAULT_APP_KEY, appSecret = DEFAULT_APP_SECRET, region = 'cn-hangzhou', bucket = 'topsec-dev'} = options;
	const sts = createStsIssuer();
	let port = 0;
	const ossEndpoint = () => `http://oss-${region}.localhost:${port}`;
	const top = createTopEmulator({...options.top, sts, apps: {[appKey]: appSecret}, oss: {bucket, region, endpoint: ossEndpoint}});
	const oss = createOssEmulator({sts});

	const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
		const route = `${req.method} ${path}`;
		switch (route) {
			case 'GET /__emulator/top/calls':
				return json(res, 200, top.calls);
			case 'DELETE /__emulator/top/calls':
				top.clearCalls();
				return json(res, 200, {ok: true});
			case 'POST /__emulator/top/faults':
				top.inject((await readJson(req)) as TopFault);
				return json(res, 200, {ok: true});
			case 'DELETE /__emulator/top/faults':
				top.clearFaults();
				return json(res, 200, {ok: true});
			case 'GET /__emulator/oss/log':
				return json(res, 200, oss.log);
			case 'DELETE /__emulator/oss/log':
				oss.clearLog();
				return json(res, 200, {ok: true});
			case 'POST /__emulator/oss/faults':
				oss.inject((await readJson(req)) as OssFault);
				return json(res, 200, {ok: true});
			case 'DELETE /__emulator/oss/faults':
				oss.clearFaults();
				return json(res, 200, {ok: true});
			case 'POST /__emulator/sts/expire':
				sts.expireAll();
				return json(res, 200, {ok: true});
			default:
				return json(res, 404, {error: `no control route ${route}`});
		}
	};

	const server = createServer((req, res) => {
		if (oss.matchesHost(req.headers.host)) return oss.handle(req, res);
		const path = (req.url ?? '/').split('?')[0]!;
		if (path === '/router/rest') return top.handle(req, res);
		if (path.startsWith('/__emulator/')) {
			control(req, res, path).catch((error: unknown) => json(res, 400, {error: error instanceof Error ? error.message : String(error)}));
			return;
		}
		if (options.fallback) return options.fallback(req, res);
		json(res, 404, {error: 'not found'});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => resolve());
	});
	port = (server.address() as AddressInfo).port;
	const url = `http://${host}:${port}`;
	return {
		url,
		port,
		gateway: `${url}/router/rest`,
		ossEndpoint: ossEndpoint(),
		appKey,
		appSecret,
		top,
		oss,
		sts,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
