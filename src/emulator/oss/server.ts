/**
A standalone node:http server around an {@link OssEmulator}, for tests (the `topsec dev` server mounts the handler
next to the TOP gateway instead).
@module
*/
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {OssEmulator} from './handler.js';

/** Options of {@link listenOssEmulator}. */
export type ListenOssOptions = {
	/**
	Port to listen on; `0` picks a free one.
	@default 0
	*/
	port?: number;
	/**
	Interface to bind.
	@default '127.0.0.1'
	*/
	host?: string;
	/**
	Region put into the returned endpoint.
	@default 'cn-hangzhou'
	*/
	region?: string;
};

/** A listening emulator. */
export type ListeningOssEmulator = {
	port: number;
	/** `http://oss-<region>.localhost:<port>`: what the credentials' `endpoint` should say. */
	endpoint: string;
	close(): Promise<void>;
};

/**
Serves `emulator` on its own port. Requests whose Host is not an emulator host get a plain 404.
@example
```ts
const server = await listenOssEmulator(createOssEmulator({sts}));
// server.endpoint === 'http://oss-cn-hangzhou.localhost:54321'
await server.close();
```
*/
export async function listenOssEmulator(emulator: OssEmulator, options: ListenOssOptions = {}): Promise<ListeningOssEmulator> {
	const server = createServer((req, res) => {
		if (emulator.matchesHost(req.headers.host)) return emulator.handle(req, res);
		res.writeHead(404, {'Content-Type': 'text/plain'}).end('Not an OSS emulator host: use <bucket>.oss-<region>.localhost:<port>\n');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	return {
		port,
		endpoint: `http://oss-${options.region ?? 'cn-hangzhou'}.localhost:${port}`,
		close: () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
