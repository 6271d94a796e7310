// The proxy under load: autocannon, 200 connections, 20 s, `taobao.top.sec.token.get` through the proxy (serveProxy,
// its own process) to the TOP emulator (its own process), against the same call signed and posted straight to the
// emulator. Throughput ratio, p99 of both, errors (connection errors, timeouts, non-2xx, TOP error answers), and the
// proxy's RSS before and after.
import {fork} from 'node:child_process';
import {createHmac} from 'node:crypto';
import autocannon from 'autocannon';
import {fmt, MiB, row} from './harness.mjs';

const CONNECTIONS = 200;
const SERVER = new URL('./load-server.mjs', import.meta.url).pathname;

function start(args, distDir) {
	const env = {...process.env, TOPSEC_BENCH_DIST_DIR: distDir};
	const child = fork(SERVER, args, {execArgv: ['--expose-gc'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	const ask = (question) =>
		new Promise((resolve) => {
			// Lets answers to the last requests of a run arrive first.
			if (question === 'tally') return setTimeout(() => (child.once('message', resolve), child.send(question)), 500);
			child.once('message', resolve);
			child.send(question);
		});
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`load server ${args[0]} exited with ${code}`)));
		child.once('message', (ready) => resolve({child, ready, ask, stop: () => new Promise((done) => (child.once('exit', done), child.send('stop')))}));
	});
}

const pad = (n) => String(n).padStart(2, '0');
/** TOP timestamp, UTC+8. */
function topTimestamp(ms) {
	const d = new Date(ms + 8 * 3600_000);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The form the proxy would send for a secToken, signed hmac-sha256 (valid for the gateway's 10 minutes of skew). */
function signedForm(appKey, appSecret, openId) {
	const params = {method: 'taobao.top.sec.token.get', app_key: appKey, timestamp: topTimestamp(Date.now()), v: '2.0', sign_method: 'hmac-sha256', format: 'json', open_id: openId};
	const names = Object.keys(params).sort();
	const sign = createHmac('sha256', appSecret).update(names.map((name) => name + params[name]).join('')).digest('hex').toUpperCase();
	return new URLSearchParams([...names.map((name) => [name, params[name]]), ['sign', sign]]).toString();
}

const load = (options, seconds) => autocannon({connections: CONNECTIONS, duration: seconds, method: 'POST', ...options});
const errorsOf = (result) => result.errors + result.timeouts + result.non2xx;
const mb = (bytes) => `${fmt(bytes / MiB, 0)} MB`;

export async function benchProxyLoad({server, quick, log}) {
	const seconds = quick ? 5 : 20;
	const warmup = quick ? 2 : 5;
	const emulator = await start(['emulator'], server.distDir);
	const {url: gateway, appKey, appSecret} = emulator.ready;
	const proxy = await start(['proxy', gateway, appKey, appSecret], server.distDir);
	try {
		const direct = () => ({url: gateway, headers: {'content-type': 'application/x-www-form-urlencoded;charset=UTF-8'}, body: signedForm(appKey, appSecret, 'load')});
		const viaProxy = {url: proxy.ready.url, headers: {'content-type': 'application/json', origin: 'https://shop.example.com'}, body: JSON.stringify({method: 'taobao.top.sec.token.get', params: {open_id: 'load'}})};

		const idle = await proxy.ask('memory');
		await load(direct(), warmup);
		await load(viaProxy, warmup);
		const before = await proxy.ask('memory');
		const tally0 = await emulator.ask('tally');

		log(`  emulator alone: ${CONNECTIONS} connections, ${seconds} s`);
		const alone = await load(direct(), seconds);
		const tally1 = await emulator.ask('tally');
		log(`  through the proxy: ${CONNECTIONS} connections, ${seconds} s`);
		const proxied = await load(viaProxy, seconds);
		const tally2 = await emulator.ask('tally');
		const after = await proxy.ask('memory');

		const topErrorsAlone = tally1.error + tally1.unanswered - tally0.error - tally0.unanswered;
		const topErrorsProxied = tally2.error + tally2.unanswered - tally1.error - tally1.unanswered;
		const errorsAlone = errorsOf(alone) + topErrorsAlone;
		const errorsProxied = errorsOf(proxied) + topErrorsProxied;
		const ratio = proxied.requests.average / alone.requests.average;
		for (const [name, r] of [['alone', alone], ['proxy', proxied]]) {
			log(`  ${name}: ${fmt(r.requests.average, 0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
		}
		log(`  TOP error answers: alone ${topErrorsAlone}, through the proxy ${topErrorsProxied}; upstream calls made by the proxy ${tally2.ok - tally1.ok}`);
		log(`  proxy RSS: idle ${mb(idle.now.rss)}, after warm-up ${mb(before.now.rss)}, after the run ${mb(after.now.rss)} (${mb(after.afterGc.rss)} after GC)`);
		const label = `${CONNECTIONS} conn, ${seconds} s`;
		return {
			rows: [
				row(`emulator alone (${label})`, `${fmt(alone.requests.average, 0)} req/s, p99 ${alone.latency.p99} ms`, '', null),
				row(`proxy → emulator (${label})`, `${fmt(proxied.requests.average, 0)} req/s, p99 ${proxied.latency.p99} ms`, '', null),
				row('proxy throughput / emulator alone', `${fmt(ratio)}×`, '', null),
				row('proxy p99 / emulator alone p99', `${fmt(proxied.latency.p99 / alone.latency.p99)}×`, '', null),
				row('errors under load (conn, timeouts, non-2xx, TOP)', `${errorsProxied} proxy, ${errorsAlone} alone`, '0', errorsProxied === 0 && errorsAlone === 0),
				row('proxy RSS before → after the run', `${mb(before.now.rss)} → ${mb(after.now.rss)} (${mb(after.afterGc.rss)} after GC)`, '', null),
			],
			raw: {alone: summary(alone), proxied: summary(proxied), memory: {idle, before, after}, topErrors: {alone: topErrorsAlone, proxied: topErrorsProxied}},
		};
	} finally {
		await Promise.all([proxy.stop(), emulator.stop()]);
	}
}

const summary = (r) => ({requests: r.requests, latency: r.latency, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, statusCodeStats: r.statusCodeStats});
