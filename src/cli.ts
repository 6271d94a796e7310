/**
The `topsec` command: `topsec dev` (emulators + proxy + demo on one origin) and `topsec proxy` (the production proxy
configured from the environment).
@module
*/
import {parseArgs} from 'node:util';
import {startDevServer} from './dev/dev-server.js';
import {proxyOptionsFromEnv, createProxy, serveProxy} from './proxy/index.js';

const USAGE = `Usage:
  topsec dev [--port N] [--host H]   emulators + proxy + demo page on one origin (default port 8787, next free if taken)
  topsec proxy                       the signing proxy at /top, configured from the environment:
                                     TOP_APP_KEY, TOP_APP_SECRET, TOP_GATEWAY, TOP_SIGN_METHOD, TOPSEC_ALLOW_ORIGINS, PORT`;

async function listenDev(port: number, host: string, explicit: boolean) {
	for (let candidate = port; ; candidate++) {
		try {
			return await startDevServer({port: candidate, host});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || explicit || candidate - port > 50) throw error;
		}
	}
}

async function main(argv: string[]) {
	const {positionals, values} = parseArgs({args: argv, allowPositionals: true, options: {port: {type: 'string'}, host: {type: 'string'}, help: {type: 'boolean', short: 'h'}}});
	const command = positionals[0];
	if (values.help || !command) {
		console.log(USAGE);
		return;
	}
	const portText = values.port ?? process.env['PORT'];
	const port = portText === undefined ? undefined : Number(portText);
	if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new TypeError(`\`--port\` must be a port number, got "${portText}"`);
	const host = values.host ?? '127.0.0.1';

	if (command === 'dev') {
		const started = performance.now();
		const dev = await listenDev(port ?? 8787, host, values.port !== undefined);
		console.log(`topsec dev ready in ${Math.round(performance.now() - started)} ms

  Demo:          ${dev.url}/
  Proxy:         ${dev.url}/top
  TOP emulator:  ${dev.gateway}   (app key ${dev.appKey})
  OSS emulator:  ${dev.ossEndpoint}

Press Ctrl-C to stop.`);
		const stop = () => {
			dev.close().then(() => process.exit(0));
		};
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
		return;
	}
	if (command === 'proxy') {
		const options = proxyOptionsFromEnv(process.env);
		const server = await serveProxy(createProxy({...options, log: (entry) => console.log(JSON.stringify(entry))}), {port: port ?? 8788, host: values.host ?? '0.0.0.0', path: '/top'});
		console.log(`topsec proxy listening at ${server.url} (gateway ${options.gateway ?? 'https://gw.api.taobao.com/router/rest'})`);
		const stop = () => {
			server.close().then(() => process.exit(0));
		};
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
		return;
	}
	console.error(`topsec: unknown command "${command}"\n\n${USAGE}`);
	process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
	console.error(`topsec: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
});
