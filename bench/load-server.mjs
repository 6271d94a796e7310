// A server process of the proxy load benchmark (bench/proxy-load.mjs), so that the load generator, the proxy and the
// TOP emulator each have their own event loop:
//   node --expose-gc bench/load-server.mjs emulator
//   node --expose-gc bench/load-server.mjs proxy <gateway> <appKey> <appSecret>
//   (the build comes from TOPSEC_BENCH_DIST_DIR, the run's snapshot of dist/)
// Over IPC it sends {ready, url, ...}, answers 'memory' with its RSS and heap (as is, then after a full GC), 'tally'
// with the TOP calls the emulator answered (ok / error), and 'stop' by exiting.
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';

const dist = process.env.TOPSEC_BENCH_DIST_DIR ?? new URL('../dist', import.meta.url).pathname;
const {startEmulators} = await import(pathToFileURL(join(dist, 'emulator.js')).href);
const {createProxy, serveProxy} = await import(pathToFileURL(join(dist, 'proxy.js')).href);

const [role, gateway, appKey, appSecret] = process.argv.slice(2);
const send = (message) => process.send(message);
let close;
let tally = () => ({});

if (role === 'emulator') {
	const emulators = await startEmulators();
	// Counted only between runs (no request in flight), then forgotten: a call still unanswered would look failed.
	const counts = {ok: 0, error: 0, unanswered: 0};
	tally = () => {
		for (const call of emulators.top.calls) {
			if (call.status === 0) counts.unanswered++;
			else if (call.status === 200 && call.errorCode === undefined) counts.ok++;
			else counts.error++;
		}
		emulators.top.clearCalls();
		return {...counts};
	};
	close = () => emulators.close();
	send({ready: true, url: emulators.gateway, appKey: emulators.appKey, appSecret: emulators.appSecret});
} else if (role === 'proxy') {
	// The production shape: serveProxy (the Node adapter) with default options, no rate limits, no log hook.
	const served = await serveProxy(createProxy({appKey, appSecret, gateway, allowOrigins: ['https://shop.example.com']}), {port: 0, host: '127.0.0.1'});
	close = () => served.close();
	send({ready: true, url: served.url});
} else {
	throw new Error(`unknown role ${role}`);
}

const memory = () => {
	const {rss, heapUsed} = process.memoryUsage();
	return {rss, heapUsed};
};

process.on('message', async (message) => {
	if (message === 'memory') {
		const now = memory();
		for (let i = 0; i < 3; i++) {
			globalThis.gc?.();
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		send({now, afterGc: memory()});
	} else if (message === 'tally') {
		send(tally());
	} else if (message === 'stop') {
		await close();
		process.exit(0);
	}
});
