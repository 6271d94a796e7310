// createIdbStorage over a small fake IndexedDB (just what idb-keyval uses): the first call is the probe, so a read
// after a reload costs one transaction; a database that opens but fails every transaction, a missing IndexedDB and
// an upgrade that never answers all end in memory storage, announced once.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {createIdbStorage} from '../src/storage/idb.js';

type Mode = 'ok' | 'failing-transactions' | 'failing-writes' | 'never-opens';
type FakeRequest = {result?: unknown; error?: unknown; onsuccess?: () => void; onerror?: () => void; oncomplete?: () => void; onabort?: () => void; onupgradeneeded?: () => void};

/** Installs `globalThis.indexedDB` with one database whose behaviour `mode` picks; counts transactions by mode. */
function fakeIndexedDB(mode: Mode, data = new Map<string, unknown>()) {
	const transactions: string[] = [];
	const later = (fn: () => void) => setTimeout(fn, 1);
	const succeed = (request: FakeRequest, result: unknown) => later(() => ((request.result = result), request.onsuccess?.(), request.oncomplete?.()));
	const fail = (request: FakeRequest, name: string) => later(() => ((request.error = new DOMException('refused', name)), request.onerror?.(), request.onabort?.()));
	const db = {
		onclose: null,
		transaction(_store: string, txMode: string) {
			transactions.push(txMode);
			if (mode === 'failing-transactions') throw new DOMException('The database connection is closing.', 'InvalidStateError');
			const tx: FakeRequest & {objectStore: () => unknown} = {
				objectStore: () => ({
					transaction: tx,
					get(key: string) {
						const request: FakeRequest = {};
						succeed(request, data.get(key));
						return request;
					},
					put(value: unknown, key: string) {
						if (mode === 'failing-writes') fail(tx, 'QuotaExceededError');
						else data.set(key, value), succeed(tx, undefined);
						return {};
					},
					delete(key: string) {
						data.delete(key);
						succeed(tx, undefined);
						return {};
					},
					getAllKeys() {
						const request: FakeRequest = {};
						succeed(request, [...data.keys()]);
						return request;
					},
				}),
			};
			return tx;
		},
	};
	(globalThis as {indexedDB?: unknown}).indexedDB = {
		open() {
			const request: FakeRequest = {};
			if (mode !== 'never-opens') succeed(request, db);
			return request;
		},
	};
	return {transactions, data};
}

/** `onFallback` calls, for checking the one warning. */
function fallbacks() {
	const messages: string[] = [];
	return {messages, onFallback: (message: string) => void messages.push(message)};
}

afterEach(() => {
	delete (globalThis as {indexedDB?: unknown}).indexedDB;
});

describe('createIdbStorage', () => {
	test('the first read after a reload is the probe: one readonly transaction, no write', async () => {
		const {transactions} = fakeIndexedDB('ok', new Map([['topsec:a|sectoken', {token: 't'}]]));
		const {messages, onFallback} = fallbacks();
		const storage = createIdbStorage({onFallback});
		assert.deepEqual(await storage.get('topsec:a|sectoken'), {token: 't'});
		assert.deepEqual(transactions, ['readonly']);
		assert.equal(storage.kind, 'indexeddb');
		await storage.set('topsec:a|other', 1);
		assert.deepEqual(await storage.keys('topsec:a|'), ['topsec:a|sectoken', 'topsec:a|other']);
		await storage.del('topsec:a|other');
		assert.equal(await storage.get('topsec:a|other'), undefined);
		assert.deepEqual(messages, []);
	});

	test('calls made while the probe runs wait for it and go to IndexedDB', async () => {
		const {data} = fakeIndexedDB('ok', new Map([['k', 1]]));
		const storage = createIdbStorage({onFallback: () => assert.fail('no fallback expected')});
		const [a, , b] = await Promise.all([storage.get('k'), storage.set('j', 2), storage.get('k')]);
		assert.deepEqual([a, b, data.get('j')], [1, 1, 2]);
	});

	test('a database that opens but fails every transaction: that first call and every later one use memory, told once', async () => {
		fakeIndexedDB('failing-transactions');
		const {messages, onFallback} = fallbacks();
		const storage = createIdbStorage({onFallback});
		const [first, second] = await Promise.all([storage.get('k'), storage.get('k')]);
		assert.deepEqual([first, second], [undefined, undefined]);
		assert.equal(storage.kind, 'memory');
		await storage.set('k', 'v');
		assert.equal(await storage.get('k'), 'v');
		assert.deepEqual(await storage.keys(''), ['k']);
		assert.equal(messages.length, 1);
		assert.match(messages[0]!, /IndexedDB is unavailable \(InvalidStateError.*\); using memory/);
	});

	test('a first write that fails (full disk): the value is kept in memory', async () => {
		fakeIndexedDB('failing-writes');
		const {messages, onFallback} = fallbacks();
		const storage = createIdbStorage({onFallback});
		await storage.set('k', {v: 1});
		assert.equal(storage.kind, 'memory');
		assert.deepEqual(await storage.get('k'), {v: 1});
		assert.equal(messages.length, 1);
	});

	test('an upgrade that never answers (blocked by another tab): memory after probeTimeoutMs', async () => {
		fakeIndexedDB('never-opens');
		const {messages, onFallback} = fallbacks();
		const storage = createIdbStorage({onFallback, probeTimeoutMs: 30});
		const started = performance.now();
		assert.equal(await storage.get('k'), undefined);
		assert.ok(performance.now() - started >= 25);
		assert.equal(storage.kind, 'memory');
		await storage.set('k', 1);
		assert.equal(await storage.get('k'), 1);
		assert.equal(messages.length, 1);
		assert.match(messages[0]!, /timed out/);
	});

	test('no IndexedDB at all (the global throws, as in some private modes): memory', async () => {
		Object.defineProperty(globalThis, 'indexedDB', {
			configurable: true,
			get: () => {
				throw new DOMException('The user denied permission to access the database.', 'SecurityError');
			},
		});
		const {messages, onFallback} = fallbacks();
		const storage = createIdbStorage({onFallback});
		assert.deepEqual(await storage.keys('x'), []);
		assert.equal(storage.kind, 'memory');
		assert.equal(messages.length, 1);
		assert.match(messages[0]!, /SecurityError/);
	});
});
