// A minimal Chrome DevTools Protocol driver over `--remote-debugging-pipe` (NUL-delimited JSON on fds 3 and 4).
//
// Why not Playwright here: Playwright enables the DevTools Network domain on every page without `maxPostDataSize`,
// so Chromium copies each request body into a `Network.requestWillBeSent` event for the driver. That costs time in
// proportion to the body: a 4 MiB part PUT took 300–1000 ms under Playwright and ~20 ms without it (docs/performance.md).
// This driver enables no domain it does not need (Runtime calls, HeapProfiler, Performance only), so requests run
// as they do for a user.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {CHROMIUM_ARGS, CHROMIUM_PATH} from './harness.mjs';

// What Playwright passes too, so a headless tab is never throttled as a background one.
const QUIET_ARGS = [
	'--headless',
	'--disable-background-timer-throttling',
	'--disable-backgrounding-occluded-windows',
	'--disable-renderer-backgrounding',
	'--disable-dev-shm-usage',
	'--disable-breakpad',
	'--disable-extensions',
	'--mute-audio',
	'--hide-scrollbars',
	'--no-default-browser-check',
	'--password-store=basic',
	'--use-mock-keychain',
];

/** Launches Chromium with a fresh on-disk profile (so IndexedDB lives on disk, as for a user). */
export async function launchChromium({executablePath = CHROMIUM_PATH, args = CHROMIUM_ARGS} = {}) {
	const profile = mkdtempSync(join(tmpdir(), 'topsec-bench-profile-'));
	const child = spawn(executablePath, [...args, ...QUIET_ARGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe']});
	const [, , , toBrowser, fromBrowser] = child.stdio;
	let nextId = 1;
	const pending = new Map();
	const listeners = new Set();
	let buffered = '';
	fromBrowser.setEncoding('utf8');
	fromBrowser.on('data', (chunk) => {
		buffered += chunk;
		for (let end; (end = buffered.indexOf('\0')) >= 0; ) {
			const message = JSON.parse(buffered.slice(0, end));
			buffered = buffered.slice(end + 1);
			if (message.id !== undefined) {
				const waiter = pending.get(message.id);
				pending.delete(message.id);
				if (message.error) waiter?.reject(new Error(`${waiter.method}: ${message.error.message}`));
				else waiter?.resolve(message.result);
			} else {
				for (const listener of listeners) listener(message);
			}
		}
	});
	const exited = new Promise((resolve) => child.once('exit', resolve));
	exited.then(() => {
		for (const waiter of pending.values()) waiter.reject(new Error('Chromium exited'));
	});

	/** Sends one CDP command (to the browser, or to a page session). */
	const send = (method, params = {}, sessionId) =>
		new Promise((resolve, reject) => {
			const id = nextId++;
			pending.set(id, {resolve, reject, method});
			toBrowser.write(JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})}) + '\0');
		});

	const version = await send('Browser.getVersion');

	return {
		version: version.product,
		send,
		/** Opens `url` in a new tab of the default (on-disk) profile. */
		async newPage(url = 'about:blank') {
			const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
			const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
			const page = createPage(send, sessionId, targetId, listeners);
			if (url !== 'about:blank') await page.goto(url);
			return page;
		},
		async close() {
			await send('Browser.close').catch(() => {});
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
			rmSync(profile, {recursive: true, force: true});
		},
	};
}

function createPage(send, sessionId, targetId, listeners) {
	const cdp = (method, params) => send(method, params, sessionId);
	/**
	Runs `fn(arg)` in the page (as source text: it must not close over Node values) and resolves with its JSON result.
	*/
	const evaluate = async (fn, arg) => {
		const {result, exceptionDetails} = await cdp('Runtime.evaluate', {expression: `(${fn})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true});
		if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
		return result.value;
	};
	return {
		cdp,
		evaluate,
		/** Navigates and waits until the page has set `window.benchReady` (or `ready` says so). */
		async goto(url, {ready = 'window.benchReady === true', timeoutMs = 60_000} = {}) {
			// Marks the document being left, so a reload of the same URL is not mistaken for ready before it happened.
			await cdp('Runtime.evaluate', {expression: 'window.__benchLeft = true'}).catch(() => {});
			await cdp('Page.navigate', {url});
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				// Until the new document exists, the old one (or none) answers; errors while it swaps are expected.
				const expression = `!window.__benchLeft && location.href === ${JSON.stringify(url)} && (${ready})`;
				const value = await cdp('Runtime.evaluate', {expression, returnByValue: true}).then((r) => r.result?.value, () => false);
				if (value === true) return;
				if (Date.now() > deadline) throw new Error(`${url} did not get ready in ${timeoutMs} ms`);
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		},
		/** Subscribes to CDP events of this page; returns the unsubscribe function. */
		on(method, handler) {
			const listener = (message) => message.sessionId === sessionId && message.method === method && handler(message.params);
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close: () => send('Target.closeTarget', {targetId}).catch(() => {}),
	};
}
