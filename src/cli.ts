/**
The `topsec` command: `topsec dev` (emulators + proxy + demo on one origin) and `topsec proxy` (the production proxy
configured from the environment).
@module
*/
import {parseArgs} from 'node:util';
import {startDevServer, type DevServerOptions} from './dev/dev-server.js';
import {proxyOptionsFromEnv, createProxy, createRedisRateLimitStore, serveProxy, type RedisEvalClient} from './proxy/index.js';

const USAGE = `Usage:
  topsec dev [--port N] [--host H]   emulators + proxy + demo pages on one origin (port from --port or PORT, default
                                     8787, the next free one if taken; 0 = any); TOP_APP_SECRET sets the emulated
                                     app's secret (default: random per run); TOPSEC_ALLOW_ORIGINS (comma-separated)
                                     lets pages on other origins call the proxy
  topsec proxy                       the signing proxy at /top, configured from the environment:
                                     TOP_APP_KEY, TOP_APP_SECRET, TOP_GATEWAY, TOP_SIGN_METHOD, TOPSEC_ALLOW_ORIGINS, PORT,
                                     TOPSEC_GRANT_KEYS, TOPSEC_RATE_LIMIT_IDENTITY, TOPSEC_RATE_LIMIT_IP (e.g. 30/60s),
                                     TOPSEC_TRUST_PROXY, TOPSEC_REDIS_URL (shared limits; needs the ioredis package)`;

/** A Redis client for shared rate limits; ioredis is loaded only when `TOPSEC_REDIS_URL` asks for it. */
async function connectRedis(url: string): Promise<RedisEvalClient & {quit(): Promise<unknown>}> {
	const name = 'ioredis'; // A variable, so the bundler leaves this optional dependency alone.
	let Redis: new (url: string, options: Record<string, unknown>) => RedisEvalClient & {quit(): Promise<unknown>; on(event: string, listener: (error: Error) => void): void};
	try {
		({Redis} = await import(name));
	} catch {
		throw new Error('`TOPSEC_REDIS_URL` is set but the `ioredis` package is not installed (npm install ioredis)');
	}
	// Fail fast while Redis is away (the limiter then lets calls through) instead of queueing them.
	const client = new Redis(url, {enableOfflineQueue: false, maxRetriesPerRequest: 1});
	client.on('error', (error) => console.error(`topsec: redis: ${error.message}`));
	return client;
}

async function listenDev(port: number, options: Omit<DevServerOptions, 'port'>) {
	for (let candidate = port; ; candidate++) {
		try {
			return await startDevServer({...options, port: candidate});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || candidate - port > 50) throw error;
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
		const wanted = port ?? 8787;
		const appSecret = process.env['TOP_APP_SECRET']?.trim();
		const allowOrigins = (process.env['TOPSEC_ALLOW_ORIGINS'] ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
		const dev = await listenDev(wanted, {host, allowOrigins, ...(appSecret ? {appSecret} : {})});
		const moved = wanted !== 0 && dev.port !== wanted ? `  (port ${wanted} is taken)` : '';
		// Before the URL is printed: whoever reads it may press Ctrl-C at once.
		const stop = () => {
			console.log('\ntopsec dev: stopping');
			dev.close().then(() => process.exit(0));
		};
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
		// performance.now() counts from process start: this is the time a user waits for the URL.
		console.log(`topsec dev ready in ${Math.round(performance.now())} ms

  Demo:          ${dev.url}/${moved}
  <script> page: ${dev.url}/script.html
  Proxy:         ${dev.url}/top${allowOrigins.length ? `   (also for ${allowOrigins.join(', ')})` : ''}
  TOP emulator:  ${dev.gateway}   (app key ${dev.appKey}; the secret stays in this process)
  OSS emulator:  ${dev.ossEndpoint}   (bucket topsec-dev)

Press Ctrl-C to stop.`);
		return;
	}
	if (command === 'proxy') {
		const options = proxyOptionsFromEnv(process.env);
		const redisUrl = process.env['TOPSEC_REDIS_URL']?.trim();
		const redis = redisUrl ? await connectRedis(redisUrl) : undefined;
		if (redis) options.rateLimits = {...options.rateLimits, store: createRedisRateLimitStore(redis), onStoreError: (error) => console.error(`topsec: rate limit store: ${error instanceof Error ? error.message : String(error)}`)};
		const server = await serveProxy(createProxy({...options, log: (entry) => console.log(JSON.stringify(entry))}), {port: port ?? 8788, host: values.host ?? '0.0.0.0', path: '/top'});
		console.log(`topsec proxy listening at ${server.url} (gateway ${options.gateway ?? 'https://gw.api.taobao.com/router/rest'})`);
		const stop = () => {
			server
				.close()
				.then(() => redis?.quit())
				.finally(() => process.exit(0));
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
