import {createStore, del, get, keys, set, type UseStore} from 'idb-keyval';
import {createMemoryStorage} from './memory.js';
import type {StorageAdapter} from './types.js';

/** Options of {@link createIdbStorage}. */
export type IdbStorageOptions = {
	/** @default 'topsec' */
	dbName?: string;
	/** @default 'records' */
	storeName?: string;
	/** How long the first call may take before IndexedDB is judged unusable (a blocked upgrade hangs forever). @default 2000 */
	probeTimeoutMs?: number;
	/** Told once, in words, when IndexedDB cannot be used and memory is used instead. @default console.warn */
	onFallback?: ((message: string, cause: unknown) => void) | undefined;
};

type Call = (...args: [string, unknown?]) => Promise<never>;

/**
IndexedDB storage through idb-keyval, in topsec's own database and store. The first call is the probe: when it
throws or does not answer within `probeTimeoutMs` — IndexedDB missing, private modes, some iframes and WebViews
(which open a database and then fail every transaction), a blocked upgrade — that call and every later one go to
memory instead, and `onFallback` is told once.
@example
```
const client = createClient({proxy: '/top', identity, storage: createIdbStorage({dbName: 'my-app'})});
```
*/
export function createIdbStorage(options: IdbStorageOptions = {}): StorageAdapter {
	const {dbName = 'topsec', storeName = 'records', probeTimeoutMs = 2000, onFallback = (message: string) => console.warn(`[topsec] ${message}`)} = options;
	let store: UseStore;
	// IndexedDB until the first call fails, then memory.
	let storage: Omit<StorageAdapter, 'kind'> = {
		get: (key) => get(key, store),
		set: (key, value) => set(key, value, store),
		del: (key) => del(key, store),
		keys: async (prefix) => (await keys(store)).filter((key): key is string => typeof key === 'string' && key.startsWith(prefix)),
	};
	let first: Promise<unknown> | undefined;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const adapter = {kind: 'indexeddb'} as StorageAdapter & {kind: string};
	for (const method of ['get', 'set', 'del', 'keys'] as const) {
		adapter[method] = ((...args: [string, unknown?]) =>
			// Every call after the first waits for the first one's verdict.
			first
				? first.then(() => (storage[method] as Call)(...args))
				: // The first call is the probe itself, so the first read after a reload (the stored secToken) costs one
					// transaction, not a probe's write and read before it.
					(first = new Promise((done, fail) => {
						timer = setTimeout(() => fail(new Error('timed out')), probeTimeoutMs); // A blocked upgrade never answers.
						store = createStore(dbName, storeName);
						(storage[method] as Call)(...args).then(done, fail);
					})
						.finally(() => clearTimeout(timer))
						.catch((cause: unknown) => {
							adapter.kind = 'memory';
							onFallback(`IndexedDB is unavailable (${cause}); using memory for this page.`, cause);
							return ((storage = createMemoryStorage())[method] as Call)(...args);
						}))) as Call;
	}
	return adapter;
}
