/**
CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the `x-oss-hash-crc64ecma` OSS returns on
writes, as a decimal string. Incremental ({@link crc64} with `previous`) and combinable ({@link crc64Combine}), so parts
hashed in parallel can be joined in order.

The byte loop is slicing-by-4 over two 32-bit halves (BigInt per byte would be ~100× slower); its tables are built
at first use.
@module
*/

// Four tables of 256 entries (low and high 32-bit halves); table k holds the CRC register after byte i and k zero bytes.
let tableLo: Int32Array | undefined;
let tableHi: Int32Array;

/**
CRC-64/XZ of `data`, continuing from the CRC of the bytes before it (`previous`, the value this function returned for
them). Returns an unsigned 64-bit `bigint`.
@default previous 0n (start of the data)
@example
```
crc64(new TextEncoder().encode('123456789')) // 0x995dc9bbdf1939fan
let crc = 0n;
for (const chunk of chunks) crc = crc64(chunk, crc);
```
*/
export function crc64(data: Uint8Array, previous = 0n): bigint {
	if (!tableLo) {
		tableLo = new Int32Array(1024);
		tableHi = new Int32Array(1024);
		for (let i = 0; i < 1024; i++) {
			// Byte i itself (table 0), or the entry one table back pushed through a zero byte: eight steps of the bitwise
			// CRC with the reflected polynomial 0xC96C5795D7870F42 (an index below 0 reads `undefined`).
			let l = tableLo[i - 256] ?? i;
			let h = tableHi[i - 256] ?? 0;
			for (let bit = 0; bit < 8; bit++) {
				const odd = -(l & 1);
				l = ((l >>> 1) | (h << 31)) ^ (odd & 0xd7870f42);
				h = (h >>> 1) ^ (odd & 0xc96c5795);
			}
			tableLo[i] = l;
			tableHi[i] = h;
		}
	}
	const lo = tableLo;
	const hi = tableHi;
	const view = new DataView(data.buffer, data.byteOffset, data.length);
	let l = ~Number(previous & 0xffffffffn);
	let h = ~Number((previous >> 32n) & 0xffffffffn);
	let i = 0;
	for (; i < data.length - 3; i += 4) {
		const a = l ^ view.getInt32(i, true);
		const a0 = 768 + (a & 255);
		const a1 = 512 + ((a >>> 8) & 255);
		const a2 = 256 + ((a >>> 16) & 255);
		const a3 = a >>> 24;
		l = h ^ lo[a0]! ^ lo[a1]! ^ lo[a2]! ^ lo[a3]!;
		h = hi[a0]! ^ hi[a1]! ^ hi[a2]! ^ hi[a3]!;
	}
	for (; i < data.length; i++) {
		const index = (l ^ data[i]!) & 255;
		l = ((l >>> 8) | (h << 24)) ^ lo[index]!;
		h = (h >>> 8) ^ hi[index]!;
	}
	return (BigInt(~h >>> 0) << 32n) | BigInt(~l >>> 0);
}

// GF(2) polynomial arithmetic modulo the reflected polynomial, after zlib's crc32_combine (multmodp / x2nmodp).
const POLY = 0xc96c5795d7870f42n;
const ONE = 1n << 63n; // x^0 in reflected bit order (x^1 is ONE >> 1n)
let lastLength = -1;
let lastShift = ONE;

/** a·b mod p. */
function multiplyModP(a: bigint, b: bigint): bigint {
	let product = 0n;
	for (let m = ONE; m; m >>= 1n, b = b & 1n ? (b >> 1n) ^ POLY : b >> 1n) if (a & m) product ^= b;
	return product;
}

/**
CRC-64/XZ of A followed by B, from `crc1` = CRC of A, `crc2` = CRC of B and `len2` = B's length in bytes (zlib-style
combine, a few thousand BigInt steps whatever the length). Combine parts in upload order.
@example
```
crc64Combine(crc64(a), crc64(b), b.length) === crc64(concat(a, b)) // true
```
*/
export function crc64Combine(crc1: bigint, crc2: bigint, len2: number): bigint {
	// x^(8·len2) mod p by square-and-multiply, kept for the next call: parts but the last have the same length.
	if (len2 !== lastLength) {
		let shift = ONE;
		for (let n = BigInt(len2), power = ONE >> 8n; n; n >>= 1n, power = multiplyModP(power, power)) if (n & 1n) shift = multiplyModP(power, shift);
		lastLength = len2;
		lastShift = shift;
	}
	return multiplyModP(lastShift, crc1) ^ crc2;
}

/**
The decimal form OSS uses in `x-oss-hash-crc64ecma`.
@example
```
crc64ToString(crc64(new TextEncoder().encode('123456789'))) // '11051210869376104954'
```
*/
export const crc64ToString = (crc: bigint): string => BigInt.asUintN(64, crc).toString();
