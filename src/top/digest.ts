/**
The one seam for digests TOP needs. MD5 and HMAC-MD5 are absent from Web Crypto, so they are implemented here in
plain TypeScript (RFC 1321 / RFC 2104); HMAC-SHA256 goes through `crypto.subtle`, which every target runtime has
(browsers, Node ≥ 20, workerd). Nothing else in topsec hashes for TOP.
@module
*/

const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Uppercase hex of bytes, the form TOP signatures take. */
export function toHexUpper(bytes: Uint8Array): string {
	let out = '';
	for (const byte of bytes) out += (byte < 16 ? '0' : '') + byte.toString(16);
	return out.toUpperCase();
}

// Per-round shift amounts and the sine-derived constants of RFC 1321.
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
let K: Int32Array | undefined;

/** MD5 of `data` (RFC 1321), 16 bytes. */
export function md5(data: Uint8Array): Uint8Array {
	K ??= Int32Array.from({length: 64}, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
	const length = data.length;
	const padded = new Uint8Array((((length + 8) >> 6) + 1) << 6);
	padded.set(data);
	padded[length] = 0x80;
	const view = new DataView(padded.buffer);
	view.setUint32(padded.length - 8, (length * 8) >>> 0, true);
	view.setUint32(padded.length - 4, Math.floor(length / 0x20000000), true);
	let a0 = 0x67452301;
	let b0 = 0xefcdab89 | 0;
	let c0 = 0x98badcfe | 0;
	let d0 = 0x10325476;
	const m = new Int32Array(16);
	for (let offset = 0; offset < padded.length; offset += 64) {
		for (let i = 0; i < 16; i++) m[i] = view.getInt32(offset + i * 4, true);
		let a = a0;
		let b = b0;
		let c = c0;
		let d = d0;
		for (let i = 0; i < 64; i++) {
			let f: number;
			let g: number;
			if (i < 16) {
				f = (b & c) | (~b & d);
				g = i;
			} else if (i < 32) {
				f = (d & b) | (~d & c);
				g = (5 * i + 1) & 15;
			} else if (i < 48) {
				f = b ^ c ^ d;
				g = (3 * i + 5) & 15;
			} else {
				f = c ^ (b | ~d);
				g = (7 * i) & 15;
			}
			const shift = S[((i >> 4) << 2) | (i & 3)]!;
			const sum = (a + f + K[i]! + m[g]!) | 0;
			a = d;
			d = c;
			c = b;
			b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
		}
		a0 = (a0 + a) | 0;
		b0 = (b0 + b) | 0;
		c0 = (c0 + c) | 0;
		d0 = (d0 + d) | 0;
	}
	const out = new Uint8Array(16);
	const outView = new DataView(out.buffer);
	outView.setInt32(0, a0, true);
	outView.setInt32(4, b0, true);
	outView.setInt32(8, c0, true);
	outView.setInt32(12, d0, true);
	return out;
}

/** HMAC-MD5 (RFC 2104) of `data` under `key`. */
export function hmacMd5(key: Uint8Array, data: Uint8Array): Uint8Array {
	const block = new Uint8Array(64);
	block.set(key.length > 64 ? md5(key) : key);
	const inner = new Uint8Array(64 + data.length);
	const outer = new Uint8Array(64 + 16);
	for (let i = 0; i < 64; i++) {
		inner[i] = block[i]! ^ 0x36;
		outer[i] = block[i]! ^ 0x5c;
	}
	inner.set(data, 64);
	outer.set(md5(inner), 64);
	return md5(outer);
}

/** HMAC-SHA256 of `data` under `key`, through Web Crypto. */
export async function hmacSha256(key: Uint8Array | ArrayBuffer, data: Uint8Array): Promise<Uint8Array> {
	const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
	return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data as BufferSource));
}
