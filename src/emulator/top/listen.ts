/**
A standalone HTTP server for the TOP emulator, for tests and the CLI: `/router/rest` goes to the emulator, anything
else is 404.
@module
*/
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {sendHttpStatus} from './render.js';
import type {TopEmulator} from './types.js';

/** A running emulator server. */
export type TopEmulatorServer = {
	/** The gateway URL, e.g. `http://127.0.0.1:8790/router/rest`. */
	url: string;
	/** The port listened on. */
	port: number;
	/** Stops listening and closes open connections. */
	close(): Promise<void>;
};

/**
Serves `emulator` on `host:port` (defaults `127.0.0.1` and a free port).
@example
```
const {url, close} = await listenTopEmulator(createTopEmulator({sts}));
```
*/
export function listenTopEmulator(emulator: TopEmulator, options: {port?: number; host?: string} = {}): Promise<TopEmulatorServer> {
	const host = options.host ?? '127.0.0.1';
	const server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (path === '/router/rest') emulator.handle(req, res);
		else sendHttpStatus(res, 404);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			const {port} = server.address() as AddressInfo;
			// A wildcard address is not something to connect to; loopback is.
			const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
			resolve({
				url: `http://${urlHost}:${port}/router/rest`,
				port,
				close: () =>
					new Promise<void>((done, fail) => {
						server.close((error) => (error ? fail(error) : done()));
						server.closeAllConnections();
					}),
			});
		});
	});
}
