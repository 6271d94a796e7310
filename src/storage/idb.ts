import {createStore, del, get, keys, set} from 'idb-keyval';
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
	onFallback?: ((message: string, cause: unknown) => void) | undefined;
};

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
	const resolve = () =>
		(ready ??= new Promise<StorageAdapter>((done, fail) => {
			setTimeout(() => fail(new Error('timed out')), probeTimeoutMs); // A blocked upgrade never answers.
			const store = createStore(dbName, storeName);
			// Write and read back: some WebViews open a database and then fail every transaction.
			set('probe', 1, store)
				.then(() => get('probe', store))
				.then((value) => {
					if (value !== 1) throw new Error('probe failed');
					done({
						kind: 'indexeddb',
						get: (key) => get(key, store),
						set: (key, value) => set(key, value, store),
						del: (key) => del(key, store),
						keys: async (prefix) => (await keys(store)).filter((key): key is string => typeof key === 'string' && key.startsWith(prefix)),
					});
				})
				.catch(fail);
		}).catch((cause: unknown) => {
			adapter.kind = 'memory';
			onFallback(`IndexedDB is unavailable (${cause}); using memory for this page.`, cause);
			return createMemoryStorage();
		}));
	// Every call waits for the probe, then goes to IndexedDB or, when it failed, to memory.
	const adapter = {kind: 'indexeddb'} as StorageAdapter & {kind: string};
	for (const method of ['get', 'set', 'del', 'keys'] as const) {
		adapter[method] = async (...args: [string, unknown?]) => ((await resolve())[method] as (...args: [string, unknown?]) => Promise<never>)(...args);
	}
	return adapter;
}
