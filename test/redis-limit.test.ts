// A real redis-server (Debian's, installed by `npm test` when missing) on a free port of 127.0.0.1, and two proxy
// *processes* counting against it: the per-identity and per-IP limits hold across both, the counters expire, and
// when Redis goes away the proxies fail open instead of hanging.
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createServer} from 'node:net';
import {after, before, test} from 'node:test';
import {Redis} from 'ioredis';

const REDIS_SERVER = '/usr/bin/redis-server';
const SECRET = 'redis-limit-secret-0123456789abcdef';
const LIMIT_IDENTITY = 10;
const LIMIT_IP = 50;
const fixture = new URL('./fixtures/limited-proxy.ts', import.meta.url).pathname;

type ProxyProcess = {child: ChildProcess; url: string; ask<T>(message: string): Promise<T>};

const freePort = () =>
	new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as {port: number};
			server.close(() => resolve(port));
		});
	});

function exited(child: ChildProcess): Promise<void> {
	return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
	await exited(child);
	clearTimeout(timer);
}

async function startRedis(port: number): Promise<ChildProcess> {
	const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const probe = new Redis({port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0});
	probe.on('error', () => {});
	try {
		for (let attempt = 0; ; attempt++) {
			if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
			try {
				if (probe.status !== 'ready') await probe.connect();
				if ((await probe.ping()) === 'PONG') return child;
			} catch {}
			if (attempt > 100) throw new Error(`redis-server did not come up: ${output}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	} finally {
		probe.disconnect();
	}
}

function startProxy(redisUrl: string): Promise<ProxyProcess> {
	const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		env: {...process.env, TOPSEC_REDIS_URL: redisUrl, LIMITED_PROXY_SECRET: SECRET, LIMIT_IDENTITY: String(LIMIT_IDENTITY), LIMIT_IP: String(LIMIT_IP)},
	});
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('proxy process did not start')), 30_000);
		child.once('exit', (code) => reject(new Error(`proxy process exited with ${code}`)));
		child.once('message', (message: {ready?: boolean; url?: string}) => {
			clearTimeout(timer);
			if (!message.ready || !message.url) return reject(new Error('unexpected first message'));
			resolve({
				child,
				url: message.url,
				ask: <T>(question: string) =>
					new Promise<T>((answer) => {
						child.once('message', (reply) => answer(reply as T));
						child.send(question);
					}),
			});
		});
	});
}

const hasRedis = existsSync(REDIS_SERVER);
let redis: ChildProcess | undefined;
let redisUrl = '';
let proxies: ProxyProcess[] = [];
const seen: string[] = [];

before(async () => {
	if (!hasRedis) return;
	const port = await freePort();
	redisUrl = `redis://127.0.0.1:${port}`;
	redis = await startRedis(port);
	proxies = await Promise.all([startProxy(redisUrl), startProxy(redisUrl)]);
});

after(async () => {
	await Promise.all(proxies.map(({child}) => stop(child)));
	await stop(redis);
});

async function post(proxy: ProxyProcess, body: unknown) {
	const response = await fetch(proxy.url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
	const text = await response.text();
	seen.push(text, JSON.stringify([...response.headers]));
	return {status: response.status, retryAfter: response.headers.get('retry-after'), subCode: JSON.parse(text).error_response?.sub_code as string | undefined};
}

const sec = (openId: string) => ({method: 'taobao.top.sec.token.get', params: {open_id: openId}});
const cli = new URL('../bin/topsec.js', import.meta.url).pathname;
const hasCli = existsSync(new URL('../dist/cli.js', import.meta.url).pathname);

/** `topsec proxy` (the built CLI) configured from the environment; resolves with its URL once it listens. */
function startCli(env: Record<string, string>): Promise<{child: ChildProcess; url: string}> {
	const child = spawn(process.execPath, [cli, 'proxy', '--host', '127.0.0.1'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, PORT: '0', ...env}});
	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => reject(new Error(`topsec proxy did not start: ${output}`)), 30_000);
		child.stderr!.on('data', (chunk) => (output += chunk));
		child.stdout!.on('data', (chunk) => {
			output += chunk;
			const url = /listening at (http:\/\/\S+)/.exec(output)?.[1];
			if (url) {
				clearTimeout(timer);
				resolve({child, url});
			}
		});
		child.once('exit', (code) => reject(new Error(`topsec proxy exited with ${code}: ${output}`)));
	});
}

test('two `topsec proxy` CLI processes with TOPSEC_REDIS_URL share the per-IP limit', {skip: !hasRedis ? `${REDIS_SERVER} is missing` : !hasCli ? 'dist/cli.js is not built' : false}, async () => {
	const env = {TOP_APP_KEY: '1', TOP_APP_SECRET: SECRET, TOP_GATEWAY: 'http://127.0.0.1:9/router/rest', TOPSEC_RATE_LIMIT_IP: '5/60s', TOPSEC_REDIS_URL: redisUrl};
	const clis = await Promise.all([startCli(env), startCli(env)]);
	try {
		// Bad JSON never reaches TOP, but the per-IP count comes first: 5 answers of 400, then 429 from either process.
		const statuses: number[] = [];
		for (let i = 0; i < 8; i++) {
			const response = await fetch(clis[i % 2]!.url, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"method":'});
			const text = await response.text();
			seen.push(text);
			statuses.push(response.status);
		}
		assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429, 429]);
	} finally {
		await Promise.all(clis.map(({child}) => stop(child)));
		const client = new Redis(redisUrl);
		await client.flushall();
		client.disconnect();
	}
});
const upstreamTotal = async () => (await Promise.all(proxies.map((proxy) => proxy.ask<{upstreamCalls: number}>('stats')))).reduce((sum, stats) => sum + stats.upstreamCalls, 0);

test('two proxy processes sharing one redis-server: the limits hold across both', {skip: hasRedis ? false : `${REDIS_SERVER} is missing (npm test installs the redis-server package)`}, async () => {
	assert.notEqual(proxies[0]!.child.pid, proxies[1]!.child.pid);
	assert.notEqual(proxies[0]!.url, proxies[1]!.url);

	// One identity, 30 calls at once, alternating between the processes: exactly LIMIT_IDENTITY get through.
	const first = await Promise.all(Array.from({length: 30}, (_, i) => post(proxies[i % 2]!, sec('shared-user'))));
	const ok = first.filter((r) => r.status === 200);
	const limited = first.filter((r) => r.status === 429);
	assert.equal(ok.length, LIMIT_IDENTITY, JSON.stringify(first.map((r) => r.status)));
	assert.equal(limited.length, 30 - LIMIT_IDENTITY);
	for (const r of limited) {
		assert.equal(r.subCode, 'topsec.rate-limited');
		assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `Retry-After ${r.retryAfter}`);
	}
	// Both processes refused some: the count really is shared, not two halves.
	assert.ok(first.some((r, i) => i % 2 === 0 && r.status === 429) && first.some((r, i) => i % 2 === 1 && r.status === 429));
	assert.equal(await upstreamTotal(), LIMIT_IDENTITY, 'refused calls never reach TOP');

	// Per IP (127.0.0.1 for both): 30 of LIMIT_IP are used; 40 calls of fresh identities leave exactly 20 through.
	const second = await Promise.all(Array.from({length: 40}, (_, i) => post(proxies[i % 2]!, sec(`user-${i}`))));
	assert.equal(second.filter((r) => r.status === 200).length, LIMIT_IP - 30, JSON.stringify(second.map((r) => r.status)));
	assert.equal(await upstreamTotal(), LIMIT_IDENTITY + LIMIT_IP - 30);

	// The counters carry their window as a TTL in Redis.
	const client = new Redis(redisUrl);
	try {
		const keys = await client.keys('topsec:rl:*');
		assert.ok(keys.includes('topsec:rl:ip:127.0.0.1'), keys.join(', '));
		assert.equal(Number(await client.get('topsec:rl:ip:127.0.0.1')), 70);
		for (const key of keys) {
			const ttl = await client.pttl(key);
			assert.ok(ttl > 0 && ttl <= 60_000, `${key} has TTL ${ttl}`);
		}
	} finally {
		client.disconnect();
	}

	// Redis goes away: the proxies answer at once and fail open (the limit store is an abuse control, not a gate).
	await stop(redis, 'SIGTERM');
	const during = await Promise.all([post(proxies[0]!, sec('after-redis')), post(proxies[1]!, sec('after-redis-2'))]);
	assert.deepEqual(during.map((r) => r.status), [200, 200]);
	const stats = await Promise.all(proxies.map((proxy) => proxy.ask<{storeErrors: number}>('stats')));
	assert.ok(stats.every((s) => s.storeErrors > 0));

	for (const text of seen) assert.ok(!text.includes(SECRET));
});
