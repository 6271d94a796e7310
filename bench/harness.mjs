// Shared harness of `npm run bench`: one server (the emulators, with the bench page and the proxy mounted on the
// emulators' own origin through `startEmulators({fallback})`), headless Chromium, statistics and the table.
//
// Why one origin: the TOP emulator sends no CORS headers, so a page calling it directly must be same-origin with it.
// The proxy is mounted at `/top` on that origin too (createNodeHandler, the real Node adapter), so both secToken
// paths start from the same page and neither pays a CORS preflight. OSS stays cross-origin
// (`<bucket>.oss-cn-hangzhou.localhost:<port>`), as it is in production.
import {closeSync, cpSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeSync} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import {execFileSync} from 'node:child_process';
import os from 'node:os';
import {extname, join, normalize, resolve, sep} from 'node:path';
import {pathToFileURL} from 'node:url';

export const root = resolve(new URL('..', import.meta.url).pathname);
export const MiB = 1024 * 1024;

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---- test files ----

let fileDir;
const diskFiles = new Map();

/**
A file of `size` bytes on disk, made once per run: the xorshift32 stream of e2e/pages/upload-helpers.js's makeFile
(same bytes for the same seed), written 8 MiB at a time. Removed when the process exits.
*/
function diskFile(size, seed) {
	const id = `${size}-${seed}`;
	if (diskFiles.has(id)) return diskFiles.get(id);
	fileDir ??= mkdtempSync(join(os.tmpdir(), 'topsec-bench-files-'));
	if (diskFiles.size === 0) process.on('exit', () => rmSync(fileDir, {recursive: true, force: true}));
	const path = join(fileDir, `bench-${id}.bin`);
	const fd = openSync(path, 'w');
	try {
		const words = new Uint32Array(2 * MiB);
		const wordCount = Math.floor(size / 4);
		let x = seed >>> 0 || 1;
		for (let word = 0; word < wordCount; ) {
			const n = Math.min(words.length, wordCount - word);
			for (let i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >>> 17;
				x ^= x << 5;
				words[i] = x >>> 0;
			}
			writeSync(fd, new Uint8Array(words.buffer, 0, n * 4));
			word += n;
		}
		const tail = new Uint8Array(size - wordCount * 4).map((_, i) => (wordCount * 4 + i) & 0xff);
		writeSync(fd, tail);
	} finally {
		closeSync(fd);
	}
	diskFiles.set(id, path);
	return path;
}

/**
Hands the page a disk-backed `File` of `size` bytes through an `<input type=file>` (`DOM.setFileInputFiles`), as a user
picking a file would; the page then finds it with `window.bench.fileOf(size)`. Not a Blob made in the page: Chromium
keeps those in its blob storage, which on this machine fails every read (NotReadableError) once a page holds about
512 MiB of them, and a 1 GiB upload needs more.
*/
export async function attachFile(page, size, seed = 1) {
	const path = diskFile(size, seed);
	const {result} = await page.cdp('Runtime.evaluate', {expression: "(() => { const input = document.createElement('input'); input.type = 'file'; input.hidden = true; document.body.append(input); return input; })()"});
	await page.cdp('DOM.setFileInputFiles', {files: [path], objectId: result.objectId});
	const {exceptionDetails} = await page.cdp('Runtime.callFunctionOn', {
		objectId: result.objectId,
		functionDeclaration: 'function (size) { if (this.files[0]?.size !== size) throw new Error("file not attached"); window.bench.setFile(size, this.files[0]); this.remove(); }',
		arguments: [{value: size}],
	});
	if (exceptionDetails) throw new Error(`attaching ${path}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
}

/**
Copies the build to a private folder once it has been quiet for a moment, so a rebuild during the run (someone
working in src/) cannot swap files under a loading page. `TOPSEC_BENCH_DIST` names another build to measure (e.g. a
patched copy), else it is the project's dist/. Returns the copy's path and a function removing it.
*/
export async function snapshotDist() {
	const source = resolve(process.env.TOPSEC_BENCH_DIST ?? join(root, 'dist'));
	const newest = async () => {
		let latest = 0;
		for (const entry of await readdir(source, {recursive: true})) latest = Math.max(latest, statSync(join(source, entry)).mtimeMs);
		return latest;
	};
	for (let tries = 0; tries < 60; tries++) {
		const before = await newest();
		if (Date.now() - before > 3000) {
			// <tmp>/dist beside a link to node_modules, so the copy's bare imports (ky, idb-keyval) still resolve.
			const parent = mkdtempSync(join(os.tmpdir(), 'topsec-bench-'));
			const remove = () => rmSync(parent, {recursive: true, force: true});
			symlinkSync(join(root, 'node_modules'), join(parent, 'node_modules'), 'dir');
			cpSync(source, join(parent, 'dist'), {recursive: true});
			if ((await newest()) === before) return {dir: join(parent, 'dist'), source, remove};
			remove();
		}
		await new Promise((done) => setTimeout(done, 1000));
	}
	throw new Error(`${source} kept changing for a minute; run the bench when no build is running`);
}

/** Imports a module of the snapshot (`emulator.js`, `proxy.js`). */
export const importDist = (dir, file) => import(pathToFileURL(join(dir, file)).href);

const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.map': 'application/json'};
// URL prefix → folder. Only these are served; `/dist/` is set to the snapshot by startBenchServer.
const MOUNTS = [
	['/dist/', join(root, 'dist')],
	['/node_modules/ky/', join(root, 'node_modules/ky')],
	['/node_modules/idb-keyval/', join(root, 'node_modules/idb-keyval')],
	['/node_modules/ali-oss/dist/', join(root, 'node_modules/ali-oss/dist')],
	['/', join(root, 'bench/pages')],
];

// Cross-origin isolation gives the page a 5 µs `performance.now()` instead of 100 µs. Every request the page makes
// is same-origin or CORS, so `require-corp` blocks nothing.
const ISOLATION = {'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp'};

async function serveStatic(req, res) {
	if (req.method !== 'GET' && req.method !== 'HEAD') return false;
	const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
	for (const [prefix, dir] of MOUNTS) {
		if (!path.startsWith(prefix)) continue;
		const rest = path.slice(prefix.length) || 'bench.html';
		const file = normalize(join(dir, rest));
		if (!file.startsWith(dir + sep)) continue;
		try {
			const info = await stat(file);
			if (!info.isFile()) continue;
			res.writeHead(200, {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store', ...ISOLATION});
			if (req.method === 'HEAD') res.end();
			else createReadStream(file).pipe(res);
			return true;
		} catch {}
	}
	return false;
}

/**
Starts the emulators with the bench page and the proxy on their origin. `origin` is the page origin, `proxyUrl`
the proxy (`<origin>/top`), `ossEndpoint` what gettoken hands out.
*/
export async function startBenchServer(distDir) {
	MOUNTS[0][1] = distDir;
	const {startEmulators} = await importDist(distDir, 'emulator.js');
	const {createNodeHandler, createProxy} = await importDist(distDir, 'proxy.js');
	let proxyNode;
	// Server-side timings (ms), recorded only while `timings.on`: the proxy's whole handling (request in → answer
	// written), its upstream fetch (request sent → answer body read), and the TOP gateway's handling.
	const timings = {on: false, proxy: [], upstream: [], gateway: []};
	const timed = (list, res) => {
		if (!timings.on) return;
		const start = performance.now();
		res.once('finish', () => list.push(performance.now() - start));
	};
	const emulators = await startEmulators({
		fallback(req, res) {
			if ((req.url ?? '').split('?')[0] === '/top') return timed(timings.proxy, res), proxyNode(req, res);
			serveStatic(req, res).then((served) => served || res.writeHead(404).end(), () => res.writeHead(500).end());
		},
	});
	emulators.server.prependListener('request', (req, res) => (req.url ?? '').startsWith('/router/rest') && timed(timings.gateway, res));
	// The proxy signs with the emulator's app secret and calls the gateway on the same port; no limits. The upstream
	// fetch is timed here, and only while recording, rather than read from the log's `upstreamMs`: that one is rounded
	// to whole ms (every median came out 1.000 or 2.000 ms) and includes the signing.
	const timedFetch = async (input, init) => {
		const start = performance.now();
		const response = await globalThis.fetch(input, init);
		const body = await response.arrayBuffer();
		timings.upstream.push(performance.now() - start);
		return new Response(body, response);
	};
	// When not recording, exactly what the proxy's default fetch does.
	const fetch = (input, init) => (timings.on ? timedFetch(input, init) : globalThis.fetch(input, init));
	proxyNode = createNodeHandler(createProxy({appKey: emulators.appKey, appSecret: emulators.appSecret, gateway: emulators.gateway, fetch}), {path: '/top'});
	// The call logs grow with every request; nothing in the bench reads them.
	const trim = setInterval(() => {
		emulators.top.clearCalls();
		emulators.oss.clearLog();
	}, 2000);
	trim.unref();
	return {
		emulators,
		distDir,
		origin: emulators.url,
		proxyUrl: `${emulators.url}/top`,
		/** Starts recording server-side timings afresh; the returned function stops and returns them. */
		recordTimings() {
			Object.assign(timings, {on: true, proxy: [], upstream: [], gateway: []});
			return () => {
				timings.on = false;
				return {proxy: timings.proxy, upstream: timings.upstream, gateway: timings.gateway};
			};
		},
		close: async () => {
			clearInterval(trim);
			await emulators.close();
		},
	};
}

/** The bench page's URL on the bench server. */
export const benchUrl = (server) => `${server.origin}/`;

/** Forces a full garbage collection in the page. */
export const collectGarbage = (page) => page.cdp('HeapProfiler.collectGarbage');

// ---- statistics ----

export const median = (values) => quantile(values, 0.5);

/** Linear-interpolated quantile of `values` (0 ≤ q ≤ 1). */
export function quantile(values, q) {
	const sorted = [...values].sort((a, b) => a - b);
	if (!sorted.length) return Number.NaN;
	const at = (sorted.length - 1) * q;
	const low = Math.floor(at);
	return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));
export const mbps = (bytes, ms) => bytes / MiB / (ms / 1000);

/** Interleaves `variants` over `rounds`, rotating the order each round so none always runs first. */
export async function interleave(rounds, variants, run) {
	const results = Object.fromEntries(variants.map((name) => [name, []]));
	for (let round = 0; round < rounds; round++) {
		for (let i = 0; i < variants.length; i++) {
			const name = variants[(round + i) % variants.length];
			results[name].push(await run(name, round));
		}
	}
	return results;
}

// ---- report ----

/**
One row of the table. `ok`: true, false, or null (informational, no goal).
*/
export const row = (benchmark, measured, goal, ok, detail) => ({benchmark, measured, goal: goal ?? '', ok: ok === null || ok === undefined ? 'info' : ok ? 'ok' : 'MISSED', detail});

export function printTable(rows) {
	const header = {benchmark: 'benchmark', measured: 'measured', goal: 'goal', ok: 'ok'};
	const all = [header, ...rows];
	const width = (key) => Math.max(...all.map((r) => String(r[key]).length));
	const widths = {benchmark: width('benchmark'), measured: width('measured'), goal: width('goal'), ok: width('ok')};
	const line = (r) => `| ${String(r.benchmark).padEnd(widths.benchmark)} | ${String(r.measured).padEnd(widths.measured)} | ${String(r.goal).padEnd(widths.goal)} | ${String(r.ok).padEnd(widths.ok)} |`;
	console.log(line(header));
	console.log(`|${['benchmark', 'measured', 'goal', 'ok'].map((k) => '-'.repeat(widths[k] + 2)).join('|')}|`);
	for (const r of rows) console.log(line(r));
}

/** The machine the run happened on. */
export function machine() {
	const run = (cmd, args) => {
		try {
			return execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
		} catch {
			return '?';
		}
	};
	const mem = run('free', ['-h']).split('\n').find((line) => line.startsWith('Mem:'))?.split(/\s+/)[1] ?? `${(os.totalmem() / 2 ** 30).toFixed(1)}Gi`;
	const cpu = os.cpus()[0]?.model ?? '?';
	return {
		cpus: `${run('nproc', [])} × ${cpu}`,
		memory: mem,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		node: process.version,
		chromium: existsSync(CHROMIUM_PATH) ? run(CHROMIUM_PATH, ['--version']).split('\n')[0] : '?',
		topsec: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
	};
}
