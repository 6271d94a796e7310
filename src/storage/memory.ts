import type {StorageAdapter} from './types.js';

/**
A storage adapter that keeps values in this page's memory only (lost on reload). The fallback when IndexedDB is
missing or refuses to work, and handy in tests. Values are kept as given, not copied.
*/
export function createMemoryStorage(): StorageAdapter {
	const map = new Map<string, unknown>();
	return {
		kind: 'memory',
		get: async (key) => map.get(key),
		set: async (key, value) => void map.set(key, value),
		del: async (key) => void map.delete(key),
		keys: async (prefix) => [...map.keys()].filter((key) => key.startsWith(prefix)),
	};
}
