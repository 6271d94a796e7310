/**
A {@link StorageAdapter} over the mini-program's key-value storage (`my.getStorage`/`wx.getStorage` and friends).
@module
*/
import type {StorageAdapter} from '../storage/types.js';
import {describeFailure, settle} from './call.js';
import type {MiniappStorageApi} from './types.js';

/** Options of {@link createMiniappStorage}. */
export type MiniappStorageOptions = {
	/**
	Largest value stored under one key, in bytes of its JSON (UTF-8). Alipay and Taobao allow 200 KB per key,
	WeChat 1 MB; a larger value is refused with a `TypeError` instead of failing inside the runtime.
	@default 200 * 1024 (Alipay's limit, the smaller one)
	*/
	maxValueBytes?: number;
};

const ALIPAY_MAX_VALUE_BYTES = 200 * 1024;
const WECHAT_MAX_VALUE_BYTES = 1024 * 1024;

// UTF-8 length without TextEncoder (not in every mini-program engine): 1 byte up to U+007F, 2 up to U+07FF, 3 for
// the rest of the BMP, 4 for a surrogate pair.
function utf8Length(text: string): number {
	let bytes = text.length;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x80) continue;
		if (code < 0x800) bytes += 1;
		else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) (bytes += 2), i++;
		else bytes += 2;
	}
	return bytes;
}

/**
A {@link StorageAdapter} over `my.getStorage/setStorage/removeStorage/getStorageInfo` (Alipay, Taobao) or the same
calls of `wx` (WeChat). Values are kept as JSON text, so what comes back equals what went in on both platforms. A
value whose JSON is larger than `maxValueBytes` is refused with a `TypeError` (the secToken record is a few hundred
bytes; the limit only matters for what an app stores itself).
@example
```
const storage = createMiniappStorage(wx, {maxValueBytes: 1024 * 1024}); // WeChat allows 1 MB per key
```
*/
export function createMiniappStorage(api: MiniappStorageApi, options: MiniappStorageOptions = {}): StorageAdapter {
	for (const name of ['getStorage', 'setStorage', 'removeStorage', 'getStorageInfo'] as const) {
		if (typeof api?.[name] !== 'function') throw new TypeError(`\`api\` must be the mini-program global (\`my\` or \`wx\`) with \`${name}\``);
	}
	const {maxValueBytes = ALIPAY_MAX_VALUE_BYTES} = options;
	if (!(Number.isInteger(maxValueBytes) && maxValueBytes > 0 && maxValueBytes <= WECHAT_MAX_VALUE_BYTES)) {
		throw new TypeError('`maxValueBytes` must be a whole number of bytes from 1 to 1048576 (1 MB, WeChat’s per-key limit)');
	}
	const fail = (what: string, failure: Parameters<typeof describeFailure>[0]) => new Error(`mini-program storage ${what} failed: ${describeFailure(failure)}`, {cause: failure});
	return {
		kind: 'miniapp',
		async get(key) {
			const outcome = await settle<{data: unknown}>((success, fail) => api.getStorage({key, success, fail}));
			// WeChat fails for a missing key ("data not found"); Alipay answers `data: null`.
			if (!outcome.ok || outcome.value?.data == null || outcome.value.data === '') return undefined;
			const {data} = outcome.value;
			if (typeof data !== 'string') return data; // Written by someone else: the client checks its shape.
			try {
				return JSON.parse(data);
			} catch {
				return data;
			}
		},
		async set(key, value) {
			const data = JSON.stringify(value);
			if (data === undefined) throw new TypeError(`The value for "${key}" cannot be stored as JSON`);
			const bytes = utf8Length(data);
			if (bytes > maxValueBytes) throw new TypeError(`The value for "${key}" is ${bytes} bytes as JSON; mini-program storage takes at most ${maxValueBytes} bytes per key here (\`maxValueBytes\`)`);
			const outcome = await settle((success, fail) => api.setStorage({key, data, success, fail}));
			if (!outcome.ok) throw fail('setStorage', outcome.failure);
		},
		async del(key) {
			const outcome = await settle((success, fail) => api.removeStorage({key, success, fail}));
			if (!outcome.ok) throw fail('removeStorage', outcome.failure);
		},
		async keys(prefix) {
			const outcome = await settle<{keys: string[]}>((success, fail) => api.getStorageInfo({success, fail}));
			if (!outcome.ok) throw fail('getStorageInfo', outcome.failure);
			return (outcome.value.keys ?? []).filter((key) => key.startsWith(prefix));
		},
	};
}
