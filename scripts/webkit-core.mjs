#!/usr/bin/env node
// The core flows in WebKit: Debian's WebKitGTK MiniBrowser driven over WebDriver classic by WebKitWebDriver
// (Playwright's WebKit is its own build and cannot drive a system WebKit). Everything is real: the built dist/
// served to the page through the same harness as the Playwright specs, the proxy and the emulators over HTTP on
// 127.0.0.1, a real <form> POST. WebKitGTK resolves `*.localhost` to loopback itself (GLib's resolver follows
// RFC 6761), so the OSS emulator's virtual-hosted bucket works unchanged.
//
// Needs /usr/bin/WebKitWebDriver (webkit2gtk-driver, which pulls in MiniBrowser) and /usr/bin/Xvfb (xvfb); `npm test`
// installs both. Starts its own servers, an X server and the driver, and stops all of them on the way out, failure,
// timeout and Ctrl-C included. Prints `N passed, N failed` last; exits non-zero when a flow failed.
//
//   node scripts/webkit-core.mjs [--grep <substring>] [--keep-going]
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {stat} from 'node:fs/promises';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {isDeepStrictEqual} from 'node:util';
import {extname, join, normalize, resolve, sep} from 'node:path';
import {startEmulators} from '../dist/emulator.js';
import {createProxy, serveProxy} from '../dist/proxy.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const DRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.WEBKIT_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = process.env.XVFB ?? '/usr/bin/Xvfb';
const OVERALL_TIMEOUT_MS = 4 * 60_000;
const grep = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : undefined;

const SEC = 'taobao.top.sec.token.get';
const GETTOKEN = 'taobao.wdk.iot.wombat.common.gettoken';
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Processes we start, each in its own process group, so one kill reaches the children too (MiniBrowser and its
// WebKitWebProcess/WebKitNetworkProcess belong to the driver's group).
const groups = new Set();
const cleanups = [];
let cleaningUp;

function startGroup(command, args, options = {}) {
	const child = spawn(command, args, {detached: true, ...options});
	groups.add(child.pid);
	child.once('exit', () => groups.delete(child.pid));
	return child;
}

function killGroups(signal = 'SIGTERM') {
	for (const pid of groups) {
		try {
			process.kill(-pid, signal);
		} catch {}
	}
}

async function cleanUp() {
	cleaningUp ??= (async () => {
		for (const step of cleanups.reverse()) await Promise.race([step().catch(() => {}), delay(5000)]);
		killGroups('SIGTERM');
		for (let i = 0; i < 20 && groups.size; i++) await delay(100);
		killGroups('SIGKILL');
	})();
	return cleaningUp;
}

// Last resort for an exit we did not plan (an uncaught error): synchronous kills still work in 'exit'.
process.on('exit', () => killGroups('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		console.log(`\nwebkit: ${signal}, stopping`);
		cleanUp().finally(() => process.exit(130));
	});
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Servers: a page server on its own origin (like e2e/servers.ts), the emulators, the proxy.
const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.map': 'application/json'};
const MOUNTS = [
	['/dist/', join(root, 'dist')],
	['/node_modules/ky/', join(root, 'node_modules/ky')],
	['/node_modules/idb-keyval/', join(root, 'node_modules/idb-keyval')],
	['/', join(root, 'e2e/pages')],
];

async function serveStatic(req, res) {
	let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
	if (path === '/') path = '/harness.html';
	for (const [prefix, dir] of MOUNTS) {
		if (!path.startsWith(prefix)) continue;
		const file = normalize(join(dir, path.slice(prefix.length)));
		if (!file.startsWith(dir + sep)) continue;
		const info = await stat(file).catch(() => undefined);
		if (!info?.isFile()) continue;
		res.writeHead(200, {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store'});
		createReadStream(file).pipe(res);
		return;
	}
	res.writeHead(404).end();
}

async function listen(server, port = 0) {
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return server.address().port;
}

async function freePort() {
	const server = createServer();
	const port = await listen(server);
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function startServers() {
	const pages = createServer((req, res) => void serveStatic(req, res).catch(() => res.writeHead(500).end()));
	const pageOrigin = `http://127.0.0.1:${await listen(pages)}`;
	cleanups.push(async () => {
		pages.closeAllConnections();
		await new Promise((resolve) => pages.close(resolve));
	});
	const emulators = await startEmulators();
	cleanups.push(() => emulators.close());
	const proxyLog = [];
	const proxy = await serveProxy(
		createProxy({
			appKey: emulators.appKey,
			appSecret: emulators.appSecret,
			gateway: emulators.gateway,
			allowOrigins: [pageOrigin],
			log: (entry) => proxyLog.push(entry),
		}),
		{port: 0, host: '127.0.0.1', path: '/top'},
	);
	cleanups.push(() => proxy.close());
	return {emulators, proxyUrl: proxy.url, pageOrigin, proxyLog};
}

// ---------------------------------------------------------------------------------------------------------------
// X server and driver.
async function startXvfb() {
	// -displayfd: the server picks a free display and tells us which, so parallel runs never collide.
	const xvfb = startGroup(XVFB, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-nolisten', 'unix-abstract'], {stdio: ['ignore', 'ignore', 'pipe', 'pipe']});
	let stderr = '';
	xvfb.stderr.on('data', (chunk) => (stderr += chunk));
	const display = await Promise.race([
		new Promise((resolve) => {
			let text = '';
			xvfb.stdio[3].on('data', (chunk) => {
				text += chunk;
				if (text.includes('\n')) resolve(`:${text.trim()}`);
			});
		}),
		new Promise((_, reject) => xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr.trim().slice(-500)}`)))),
		delay(15_000).then(() => Promise.reject(new Error('Xvfb did not report a display within 15 s'))),
	]);
	return display;
}

async function startDriver(display) {
	const port = await freePort();
	const driver = startGroup(DRIVER, [`--port=${port}`, '--host=local'], {env: {...process.env, DISPLAY: display}, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	driver.stdout.on('data', (chunk) => (output += chunk));
	driver.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise((_, reject) => driver.once('exit', (code) => reject(new Error(`WebKitWebDriver exited (${code}): ${output.trim().slice(-500)}`))));
	for (const deadline = Date.now() + 15_000; ; ) {
		const ready = await Promise.race([
			fetch(`http://127.0.0.1:${port}/status`)
				.then((r) => r.ok)
				.catch(() => false),
			exited,
		]);
		if (ready) return port;
		if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer /status within 15 s');
		await delay(100);
	}
}

async function startBrowser(driverPort) {
	const {remote} = await import('webdriverio');
	const browser = await remote({
		hostname: '127.0.0.1',
		port: driverPort,
		path: '/',
		logLevel: 'error',
		connectionRetryCount: 1,
		connectionRetryTimeout: 60_000,
		capabilities: {
			browserName: 'MiniBrowser',
			'webkitgtk:browserOptions': {binary: MINIBROWSER, args: ['--automation']},
			// WebKitWebDriver speaks WebDriver classic only; stop webdriverio from trying BiDi first.
			'wdio:enforceWebDriverClassic': true,
		},
	});
	cleanups.push(() => browser.deleteSession());
	await browser.setTimeout({script: 90_000, pageLoad: 30_000});
	return browser;
}

// ---------------------------------------------------------------------------------------------------------------
// Small assertion kit (no test framework: this runs as a plain node script).
function fail(message) {
	throw new Error(message);
}
function equal(actual, expected, what) {
	if (!isDeepStrictEqual(actual, expected)) fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
function ok(value, what) {
	if (!value) fail(what);
}

/** Runs `fn` in the page (async, awaited there); a page-side error comes back as an error here. */
async function inPage(browser, fn, ...args) {
	const result = await browser.executeAsync(
		`const done = arguments[arguments.length - 1];
		 Promise.resolve().then(() => (${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
			.then((value) => done({value}), (error) => done({error: String(error && error.stack || error), name: error && error.name}));`,
		...args,
	);
	if (result && 'error' in result) fail(`in the page: ${result.error}`);
	return result?.value;
}

async function openHarness(browser, servers) {
	await browser.url(`${servers.pageOrigin}/`);
	await waitForHarness(browser);
}

async function waitForHarness(browser) {
	await browser.waitUntil(() => browser.execute(() => window.topsecReady === true), {timeout: 15_000, interval: 50, timeoutMsg: 'the harness did not load /dist/index.js'});
}

function reset(servers) {
	servers.emulators.top.clearCalls();
	servers.emulators.top.clearFaults();
	servers.emulators.oss.clearLog();
	servers.emulators.oss.clearFaults();
	servers.proxyLog.length = 0;
}

const storedSha256 = (servers, key) => {
	const object = servers.emulators.oss.getObject('topsec-dev', key);
	ok(object, `object ${key} is stored`);
	return createHash('sha256').update(object.body).digest('hex');
};

function expectMonotonic(progress, total) {
	ok(progress.length > 1, `several progress events (got ${progress.length})`);
	for (let i = 1; i < progress.length; i++) ok(progress[i].loaded >= progress[i - 1].loaded, 'progress never goes back');
	equal(progress.at(-1), {loaded: total, total}, 'last progress event');
	ok(
		progress.every((p) => p.total === total && p.loaded <= total),
		'progress stays within total',
	);
}

// The page-side upload, as e2e/upload.spec.ts runs it.
const uploadInPage = (browser, servers, size, {seed = 1, identity = 'uploader', ...options} = {}) =>
	inPage(
		browser,
		async (proxy, size, seed, identity, options) => {
			const {makeFile, sha256} = await import('/upload-helpers.js');
			const file = makeFile(size, seed);
			const client = window.topsec.createClient({proxy, identity: {openId: identity}});
			const progress = [];
			const result = await window.topsecOss.upload(client, file, {credentials: {merchantCode: 'm1'}, onProgress: (p) => progress.push(p), ...options});
			return {result, sourceSha256: await sha256(file), progress};
		},
		servers.proxyUrl,
		size,
		seed,
		identity,
		options,
	);

// ---------------------------------------------------------------------------------------------------------------
// The flows: the same core flows the Playwright specs tag @core.
const identity = {openId: 'wk-open-1', oeid: 'wk-oeid-1', ieid: 'wk-ieid-1'};

const flows = [
	[
		'token persists across reload: network once, then IndexedDB with zero proxy requests',
		async (browser, servers) => {
			await openHarness(browser, servers);
			const first = await inPage(
				browser,
				async (proxy, identity) => {
					const client = window.topsec.createClient({proxy, identity});
					const a = await client.getSecToken();
					const b = await client.getSecToken();
					return {a, b, kind: client.storage.kind};
				},
				servers.proxyUrl,
				identity,
			);
			equal(first.a.source, 'network', 'first source');
			equal(first.b.source, 'memory', 'second source');
			equal(first.b.token, first.a.token, 'same token');
			equal(first.kind, 'indexeddb', 'storage kind');
			ok(first.a.expiresAt > Date.now() + 60 * 60_000, 'the emulator’s 2 h token');
			const proxyCalls = () => servers.proxyLog.filter((entry) => entry.method === SEC).length;
			equal(proxyCalls(), 1, 'proxy requests before reload');
			equal(servers.emulators.top.count(SEC), 1, 'upstream calls before reload');

			await browser.refresh();
			await waitForHarness(browser);
			const afterReload = await inPage(browser, async (proxy, identity) => window.topsec.createClient({proxy, identity}).getSecToken(), servers.proxyUrl, identity);
			equal(afterReload.source, 'storage', 'source after reload');
			equal(afterReload.token, first.a.token, 'token after reload');
			equal(proxyCalls(), 1, 'proxy requests after reload');
			equal(servers.emulators.top.count(SEC), 1, 'upstream calls after reload');
		},
	],
	[
		'single flight: 20 concurrent calls share one upstream call',
		async (browser, servers) => {
			await openHarness(browser, servers);
			const tokens = await inPage(
				browser,
				async (proxy) => {
					const client = window.topsec.createClient({proxy, identity: {openId: 'wk-concurrent-user'}});
					const results = await Promise.all(Array.from({length: 20}, () => client.getSecToken()));
					return results.map((r) => r.token);
				},
				servers.proxyUrl,
			);
			equal(tokens.length, 20, 'answers');
			equal(new Set(tokens).size, 1, 'distinct tokens');
			equal(servers.emulators.top.count(SEC), 1, 'upstream calls');
		},
	],
	[
		'two windows refreshing at once make one upstream call (Web Locks across windows)',
		async (browser, servers) => {
			// WebDriver runs one script at a time, so each window starts its call and leaves it running; the slow
			// gateway keeps the first one in flight while the second window loads and starts.
			servers.emulators.top.inject({kind: 'delay', ms: 1500, method: SEC});
			const start = (proxy) => {
				window.twoWindows = window.topsec
					.createClient({proxy, identity: {openId: 'wk-two-windows-user'}})
					.getSecToken()
					.then((value) => ({value}), (error) => ({error: String(error)}));
			};
			const first = await browser.getWindowHandle();
			await openHarness(browser, servers);
			await browser.execute(start, servers.proxyUrl);
			const {handle: second} = await browser.createWindow('window');
			await browser.switchToWindow(second);
			await openHarness(browser, servers);
			await browser.execute(start, servers.proxyUrl);
			const results = [];
			for (const handle of [second, first]) {
				await browser.switchToWindow(handle);
				results.push(await inPage(browser, async () => window.twoWindows));
			}
			await browser.switchToWindow(second);
			await browser.closeWindow();
			await browser.switchToWindow(first);
			for (const result of results) ok(!result.error, `both windows get a token (${result.error})`);
			equal(results[0].value.token, results[1].value.token, 'same token');
			equal(results.map((r) => r.value.source).sort(), ['network', 'storage'], 'sources');
			equal(servers.emulators.top.count(SEC), 1, 'upstream calls');
		},
	],
	[
		'OSS credentials through the proxy with the grant, shared by concurrent callers',
		async (browser, servers) => {
			await openHarness(browser, servers);
			const result = await inPage(
				browser,
				async (proxy) => {
					const client = window.topsec.createClient({proxy, identity: {openId: 'wk-oss-user'}});
					const [a, b] = await Promise.all([client.getOssCredentials({merchantCode: 'm1', scenesCode: 1}), client.getOssCredentials({merchantCode: 'm1', scenesCode: 1})]);
					return {same: a.accessKeyId === b.accessKeyId, a};
				},
				servers.proxyUrl,
			);
			equal(result.same, true, 'one set of credentials');
			equal([result.a.bucket, result.a.region, result.a.dir, result.a.endpoint], ['topsec-dev', 'cn-hangzhou', 'uploads/m1/', servers.emulators.ossEndpoint], 'credentials');
			equal(servers.emulators.top.count(GETTOKEN), 1, 'gettoken calls');
		},
	],
	[
		'3 MB goes up in one signed PUT to <bucket>.oss-cn-hangzhou.localhost and arrives intact',
		async (browser, servers) => {
			await openHarness(browser, servers);
			const {result, sourceSha256, progress} = await uploadInPage(browser, servers, 3 * MB);
			equal([result.bucket, result.size, result.partsSent], ['topsec-dev', 3 * MB, 0], 'result');
			equal(result.url, `http://topsec-dev.oss-cn-hangzhou.localhost:${servers.emulators.port}/${result.key}`, 'url');
			equal(storedSha256(servers, result.key), sourceSha256, 'stored sha256');
			expectMonotonic(progress, 3 * MB);
			equal(servers.emulators.oss.log.filter((e) => e.method === 'PUT').length, 1, 'PUT requests');
		},
	],
	[
		'16 MB goes multipart (2 parts of 8 MiB, the default) with progress, CRC-64 checked',
		async (browser, servers) => {
			await openHarness(browser, servers);
			const {result, sourceSha256, progress} = await uploadInPage(browser, servers, 16 * MB, {seed: 2});
			equal(result.partsSent, 2, 'parts sent');
			equal(storedSha256(servers, result.key), sourceSha256, 'stored sha256');
			equal(result.crc64, servers.emulators.oss.getObject('topsec-dev', result.key).crc64, 'crc64');
			expectMonotonic(progress, 16 * MB);
			equal(servers.emulators.oss.log.filter((e) => e.method === 'PUT' && e.query.partNumber).length, 2, 'part requests');
			ok(
				servers.emulators.oss.log.some((e) => e.method === 'POST' && e.query.uploadId && e.status === 200),
				'CompleteMultipartUpload succeeded',
			);
		},
	],
	[
		'credentials that expire during a multipart upload are renewed once and the upload completes',
		async (browser, servers) => {
			await openHarness(browser, servers);
			// The 5th part request expires every credential issued so far; the parts in flight with it all fail.
			servers.emulators.oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 4});
			servers.emulators.oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
			const {result, sourceSha256} = await uploadInPage(browser, servers, 12 * MB, {seed: 4, identity: 'wk-expiring', partSize: MB, concurrency: 3});
			equal(storedSha256(servers, result.key), sourceSha256, 'stored sha256');
			ok(
				servers.emulators.oss.log.some((e) => e.code === 'SecurityTokenExpired'),
				'a part met SecurityTokenExpired',
			);
			equal(servers.emulators.top.count(GETTOKEN, {ok: true}), 2, 'gettoken calls (one renewal)');
		},
	],
	[
		'a real <form> POST with createPostPolicy fields and a file picked through WebDriver lands in the emulator (V4 and V1)',
		async (browser, servers) => {
			const dir = mkdtempSync(join(tmpdir(), 'topsec-webkit-'));
			cleanups.push(async () => rmSync(dir, {recursive: true, force: true}));
			for (const version of ['v4', 'v1']) {
				await openHarness(browser, servers);
				const key = `uploads/m1/wk-form-${version}.txt`;
				const content = `hello from a WebKit form (${version})`;
				const file = join(dir, `hello-${version}.txt`);
				writeFileSync(file, content);
				const {url, fields} = await inPage(
					browser,
					async (proxy, key, version) => {
						const client = window.topsec.createClient({proxy, identity: {openId: 'wk-former'}});
						const credentials = await client.getOssCredentials({merchantCode: 'm1'});
						return window.topsecOss.createPostPolicy(credentials, {key, maxSize: 1024 * 1024, version, successActionStatus: 201});
					},
					servers.proxyUrl,
					key,
					version,
				);
				// A plain HTML form, as a page would have it.
				await browser.execute(
					(url, fields) => {
						const form = document.createElement('form');
						form.method = 'post';
						form.enctype = 'multipart/form-data';
						form.action = url;
						for (const [name, value] of Object.entries(fields)) {
							const input = document.createElement('input');
							input.type = 'hidden';
							input.name = name;
							input.value = value;
							form.append(input);
						}
						const picker = document.createElement('input');
						picker.type = 'file';
						picker.name = 'file';
						const button = document.createElement('button');
						button.textContent = 'Upload';
						form.append(picker, button);
						document.body.replaceChildren(form);
					},
					url,
					fields,
				);
				// Element Send Keys on a file input selects that file, as a user picking it would.
				await (await browser.$('input[type=file]')).addValue(file);
				await (await browser.$('button')).click();
				const posted = () => servers.emulators.oss.log.find((e) => e.method === 'POST' && e.key === key);
				await browser.waitUntil(async () => posted() !== undefined, {timeout: 15_000, interval: 50, timeoutMsg: `no POST for ${key} reached the emulator`});
				equal(posted().status, 201, `${version} POST status`);
				equal(servers.emulators.oss.getObject('topsec-dev', key)?.body.toString(), content, `${version} stored body`);
				// The browser shows OSS's answer: the form really navigated to the bucket.
				await browser.waitUntil(async () => (await browser.getUrl()).startsWith(url), {timeout: 10_000, timeoutMsg: 'the form did not navigate to the bucket'});
			}
		},
	],
];

// ---------------------------------------------------------------------------------------------------------------
let passed = 0;
let failed = 0;
const watchdog = setTimeout(() => {
	console.log(`webkit: still running after ${OVERALL_TIMEOUT_MS / 1000} s, giving up`);
	failed++;
	cleanUp().finally(() => {
		console.log(`\n${passed} passed, ${failed} failed`);
		process.exit(1);
	});
}, OVERALL_TIMEOUT_MS);

try {
	for (const path of [DRIVER, MINIBROWSER, XVFB]) if (!existsSync(path)) throw new Error(`${path} is missing; install webkit2gtk-driver and xvfb (npm test does)`);
	const selected = flows.filter(([name]) => !grep || name.includes(grep));
	const started = Date.now();
	const servers = await startServers();
	const display = await startXvfb();
	const driverPort = await startDriver(display);
	const browser = await startBrowser(driverPort);
	console.log(`WebKitGTK ${browser.capabilities.browserVersion} (MiniBrowser over WebKitWebDriver, display ${display}), ready in ${Date.now() - started} ms`);
	for (const [name, run] of selected) {
		reset(servers);
		const t0 = Date.now();
		try {
			await run(browser, servers);
			passed++;
			console.log(`  ✓ [webkit] ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
		} catch (error) {
			failed++;
			console.log(`  ✘ [webkit] ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n      ${String(error?.message ?? error).split('\n').join('\n      ')}`);
		}
	}
} catch (error) {
	failed++;
	console.log(`webkit: could not run: ${error?.stack ?? error}`);
} finally {
	clearTimeout(watchdog);
	await cleanUp();
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
