import {createStore, del, get, keys, set, type UseStore} from 'idb-keyval';
import {createMemoryStorage} from './memory.js';
import type {StorageAdapter} from './types.js';

/** Options of {@link createIdbStorage}. */
export type IdbStorageOptions = {
	/** @default 'topsec' */
	dbName?: string;
	/** @default 'records' */
	storeName?: string;
	/** How long the probe may take before IndexedDB is judged unusable (a blocked upgrade hangs forever). @default 2000 */
	probeTimeoutMs?: number;
	/** Told once, in words, when IndexedDB cannot be used and memory is used instead. @default console.warn */
	onFallback?: (message: string, cause: unknown) => void;
};

const PROBE_KEY = '__topsec_probe__';

/**
IndexedDB storage through idb-keyval, in topsec's own database and store. IndexedDB is probed once (open, write,
read back) on first use; when it is missing or throws — private modes, some iframes and WebViews, a blocked
upgrade, a full quota — every call goes to memory instead and `onFallback` is told once.
@example
```
const client = createClient({proxy: '/top', identity, storage: createIdbStorage({dbName: 'my-app'})});
```
*/
export function createIdbStorage(options: IdbStorageOptions = {}): StorageAdapter {
	const {dbName = 'topsec', storeName = 'records', probeTimeoutMs = 2000, onFallback = (message: string) => console.warn(`[topsec] ${message}`)} = options;
	let ready: Promise<StorageAdapter> | undefined;
	const adapter: {kind: string} & StorageAdapter = {
		kind: 'indexeddb',
		get: async (key) => (await resolve()).get(key),
		set: async (key, value) => (await resolve()).set(key, value),
		del: async (key) => (await resolve()).del(key),
		keys: async (prefix) => (await resolve()).keys(prefix),
	};

	const fallBack = (cause: unknown) => {
		const memory = createMemoryStorage();
		adapter.kind = memory.kind;
		onFallback(`IndexedDB is unavailable (${cause instanceof Error ? cause.message : String(cause)}); keeping tokens in memory for this page only.`, cause);
		return memory;
	};

	const resolve = () =>
		(ready ??= (async () => {
			let store: UseStore;
			try {
				if (typeof indexedDB === 'undefined') throw new Error('no indexedDB in this context');
				store = createStore(dbName, storeName);
				await withTimeout(
					(async () => {
						await set(PROBE_KEY, 1, store);
						if ((await get(PROBE_KEY, store)) !== 1) throw new Error('probe read back a different value');
					})(),
					probeTimeoutMs,
				);
			} catch (error) {
				return fallBack(error);
			}
			return {
				kind: 'indexeddb',
				get: (key) => get(key, store),
				set: (key, value) => set(key, value, store),
				del: (key) => del(key, store),
				keys: async (prefix) => (await keys<IDBValidKey>(store)).filter((key): key is string => typeof key === 'string' && key.startsWith(prefix)),
			} satisfies StorageAdapter;
		})());

	return adapter;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (blocked?)`)), ms);
		promise.then(resolve, reject).finally(() => clearTimeout(timer));
	});
}
