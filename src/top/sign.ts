/**
TOP request signing (DESIGN.md §5), named after the spec's steps: `canonicalString` then `signTopParams`.
@module
*/
import {hmacMd5, md5, toHexUpper, utf8} from './digest.js';

/** The sign methods the TOP gateway accepts. */
export type SignMethod = 'md5' | 'hmac' | 'hmac-sha256';

/** Every supported {@link SignMethod}. */
export const SIGN_METHODS: readonly SignMethod[] = ['md5', 'hmac', 'hmac-sha256'];

/** Whether `value` is a {@link SignMethod}. */
export const isSignMethod = (value: unknown): value is SignMethod => SIGN_METHODS.includes(value as SignMethod);

/** A parameter map as sent to TOP; `undefined`, `null` and `''` values are dropped (not signed, not sent). */
export type TopParams = Record<string, string | number | boolean | null | undefined>;

/**
The params that are actually sent: empty values dropped, everything else as a string, keys in code-unit order.
`sign` itself is never part of it.
*/
export function sendableParams(params: TopParams): Array<[string, string]> {
	const entries: Array<[string, string]> = [];
	for (const key of Object.keys(params)) {
		const value = params[key];
		if (key === 'sign' || value === undefined || value === null || value === '') continue;
		entries.push([key, String(value)]);
	}
	// Default sort compares UTF-16 code units, which is what every official TOP SDK does.
	return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The string TOP signs: `key1value1key2value2…` over the sorted, non-empty params. */
export function canonicalString(params: TopParams): string {
	let out = '';
	for (const [key, value] of sendableParams(params)) out += key + value;
	return out;
}

// The imported HMAC-SHA256 key of the last secret: one import per secret instead of one per signature (a proxy or
// the gateway signs with one secret; each Web Crypto call is a thread-pool job in Node).
let lastSecret: string | undefined;
let lastKey: Promise<CryptoKey>;
const secretKey = (secret: string): Promise<CryptoKey> => {
	if (secret !== lastSecret) {
		lastSecret = secret;
		lastKey = crypto.subtle.importKey('raw', utf8(secret) as BufferSource, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
		lastKey.catch(() => (lastSecret = undefined));
	}
	return lastKey;
};

/**
The `sign` value for `params` under `secret` with `signMethod`: uppercase hex of MD5(secret + s + secret),
HMAC-MD5(secret, s) or HMAC-SHA256(secret, s), where s is {@link canonicalString}.
@example
```
const sign = await signTopParams({method: 'taobao.top.sec.token.get', app_key: '123', …}, secret, 'hmac-sha256');
```
*/
export async function signTopParams(params: TopParams, secret: string, signMethod: SignMethod): Promise<string> {
	const text = canonicalString(params);
	switch (signMethod) {
		case 'md5':
			return toHexUpper(md5(utf8(secret + text + secret)));
		case 'hmac':
			return toHexUpper(hmacMd5(utf8(secret), utf8(text)));
		case 'hmac-sha256':
			return toHexUpper(new Uint8Array(await crypto.subtle.sign('HMAC', await secretKey(secret), utf8(text) as BufferSource)));
		default:
			throw new TypeError(`Unknown sign method \`${String(signMethod)}\`; use one of ${SIGN_METHODS.join(', ')}`);
	}
}
