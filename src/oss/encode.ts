/**
Small byte, text and URI helpers shared by the OSS signers, the PostObject policy and the uploader. Web-standard
APIs only (`TextEncoder`, `btoa`, `crypto.subtle`), so they run in browsers, workers and Node ≥ 20 alike.
@module
*/

/**
UTF-8 bytes of `text`.
@example
```
utf8('中') // Uint8Array [228, 184, 173]
```
*/
export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/**
Lowercase hex of `bytes`, the form OSS V4 signatures and hashes take.
@example
```
toHex(new Uint8Array([1, 171])) // '01ab'
```
*/
export const toHex = (bytes: ArrayBuffer | Uint8Array): string => Array.from(new Uint8Array(bytes), (byte) => (byte | 256).toString(16).slice(1)).join('');

/**
Standard base64 (with padding) of `data`; a string is taken as its UTF-8 bytes.
@example
```
toBase64('{"a":1}') // 'eyJhIjoxfQ=='
```
*/
export function toBase64(data: string | ArrayBuffer | Uint8Array): string {
	let binary = '';
	for (const byte of typeof data === 'string' ? utf8(data) : new Uint8Array(data)) binary += String.fromCharCode(byte);
	return btoa(binary);
}

/**
Import raw bytes as a non-extractable HMAC signing key.
@default hash 'SHA-256'
@example
```
const key = await importHmacKey(bytes);
```
*/
export const importHmacKey = (key: ArrayBuffer | Uint8Array, hash: 'SHA-256' | 'SHA-1' = 'SHA-256'): Promise<CryptoKey> =>
	crypto.subtle.importKey('raw', key as BufferSource, {name: 'HMAC', hash}, false, ['sign']);

/**
HMAC of `data` (UTF-8) under `key` through Web Crypto. A raw key is imported on each call; pass a `CryptoKey` to reuse one.
@default hash 'SHA-256'
@example
```
const mac = await hmac(utf8('key'), 'data'); // ArrayBuffer, 32 bytes
```
*/
export const hmac = async (key: CryptoKey | ArrayBuffer | Uint8Array, data: string, hash: 'SHA-256' | 'SHA-1' = 'SHA-256'): Promise<ArrayBuffer> =>
	crypto.subtle.sign('HMAC', (key as CryptoKey).type ? (key as CryptoKey) : await importHmacKey(key as Uint8Array, hash), utf8(data));

/**
Lowercase hex SHA-256 of `data` (a string as UTF-8).
@example
```
await sha256Hex('') // 'e3b0c442…b855'
```
*/
export const sha256Hex = async (data: string | ArrayBuffer): Promise<string> =>
	toHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? utf8(data) : data));

/**
RFC 3986 percent-encoding as OSS (and ali-oss's `encodeString`) does it: `encodeURIComponent` plus `!'()*`.
Only `A–Z a–z 0–9 - _ . ~` stay as they are.
@example
```
ossEncode("a b+(c)") // 'a%20b%2B%28c%29'
```
*/
export const ossEncode = (text: string): string =>
	encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/**
An object key encoded for a URL path or the V4 canonical URI: {@link ossEncode} per segment, `/` kept.
@example
```
ossEncodePath('dir/年 1+1.txt') // 'dir/%E5%B9%B4%201%2B1.txt'
```
*/
export const ossEncodePath = (key: string): string => ossEncode(key).replace(/%2F/g, '/');

/** A query map as OSS requests take it; `null` or `''` marks a sub-resource without value (`?uploads`), `undefined` is left out. */
export type OssQuery = Record<string, string | undefined | null>;

/**
The query string OSS V4 canonicalises, which is also the URL query the uploader sends (without the leading `?`): keys
and values {@link ossEncode}d, sorted by encoded key (code units), a value-less sub-resource written as its bare key.
@example
```
canonicalQuery({uploadId: 'ab c', partNumber: '3'}) // 'partNumber=3&uploadId=ab%20c'
canonicalQuery({uploads: null}) // 'uploads'
```
*/
export const canonicalQuery = (query: OssQuery = {}): string =>
	Object.keys(query)
		.filter((name) => query[name] !== undefined)
		.map((name) => [ossEncode(name), query[name] ? '=' + ossEncode(query[name]) : ''])
		// Encoded names are unique, so the order is strict (a name before any longer one it prefixes).
		.sort(([a], [b]) => (a! < b! ? -1 : 1))
		.map((pair) => pair.join(''))
		.join('&');
