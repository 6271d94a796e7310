/**
CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the `x-oss-hash-crc64ecma` OSS returns on
writes, as a decimal string. Incremental ({@link crc64} with `previous`) and combinable ({@link crc64Combine}), so parts
hashed in parallel can be joined in order.

The byte loop is slicing-by-8 over two 32-bit halves: BigInt per byte would be ~100× slower.
@module
*/

// Reflected ECMA-182 polynomial 0xC96C5795D7870F42, split into 32-bit halves for the tables.
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

// Eight tables of 256 entries; table k holds the CRC of byte i followed by k zero bytes (low and high halves).
let tableLo: Int32Array | undefined;
let tableHi: Int32Array | undefined;

function makeTables(): void {
	const lo = new Int32Array(2048);
	const hi = new Int32Array(2048);
	for (let n = 0; n < 256; n++) {
		let l = n;
		let h = 0;
		for (let bit = 0; bit < 8; bit++) {
			const odd = l & 1;
			l = (l >>> 1) | (h << 31);
			h >>>= 1;
			if (odd) {
				l ^= POLY_LO;
				h ^= POLY_HI;
			}
		}
		lo[n] = l;
		hi[n] = h;
	}
	for (let i = 256; i < 2048; i++) {
		const l = lo[i - 256]!;
		const h = hi[i - 256]!;
		lo[i] = ((l >>> 8) | (h << 24)) ^ lo[l & 255]!;
		hi[i] = (h >>> 8) ^ hi[l & 255]!;
	}
	tableLo = lo;
	tableHi = hi;
}

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
	if (!tableLo) makeTables();
	const lo = tableLo!;
	const hi = tableHi!;
	let l = ~Number(previous & 0xffffffffn);
	let h = ~Number((previous >> 32n) & 0xffffffffn);
	const length = data.length;
	const end = length - (length & 7);
	let i = 0;
	for (; i < end; i += 8) {
		const a = l ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
		const b = h ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
		const a0 = 1792 + (a & 255);
		const a1 = 1536 + ((a >>> 8) & 255);
		const a2 = 1280 + ((a >>> 16) & 255);
		const a3 = 1024 + (a >>> 24);
		const b0 = 768 + (b & 255);
		const b1 = 512 + ((b >>> 8) & 255);
		const b2 = 256 + ((b >>> 16) & 255);
		const b3 = b >>> 24;
		l = lo[a0]! ^ lo[a1]! ^ lo[a2]! ^ lo[a3]! ^ lo[b0]! ^ lo[b1]! ^ lo[b2]! ^ lo[b3]!;
		h = hi[a0]! ^ hi[a1]! ^ hi[a2]! ^ hi[a3]! ^ hi[b0]! ^ hi[b1]! ^ hi[b2]! ^ hi[b3]!;
	}
	for (; i < length; i++) {
		const index = (l ^ data[i]!) & 255;
		l = ((l >>> 8) | (h << 24)) ^ lo[index]!;
		h = (h >>> 8) ^ hi[index]!;
	}
	return (BigInt(~h >>> 0) << 32n) | BigInt(~l >>> 0);
}

// GF(2) polynomial arithmetic modulo the reflected polynomial, after zlib's crc32_combine (multmodp / x2nmodp).
const POLY = 0xc96c5795d7870f42n;
const ONE = 1n << 63n; // x^0 in reflected bit order
let powers: bigint[] | undefined; // powers[k] = x^(2^k) mod p

/** a·b mod p; `a` must not be zero. */
function multiplyModP(a: bigint, b: bigint): bigint {
	let product = 0n;
	for (let m = ONE; ; m >>= 1n) {
		if (a & m) {
			product ^= b;
			if (!(a & (m - 1n))) return product;
		}
		b = b & 1n ? (b >> 1n) ^ POLY : b >> 1n;
	}
}

/**
CRC-64/XZ of A followed by B, from `crc1` = CRC of A, `crc2` = CRC of B and `len2` = B's length in bytes (zlib-style
combine, a few hundred BigInt steps whatever the length). Combine parts in upload order.
@example
```
crc64Combine(crc64(a), crc64(b), b.length) === crc64(concat(a, b)) // true
```
*/
export function crc64Combine(crc1: bigint, crc2: bigint, len2: number): bigint {
	if (!powers) {
		powers = [ONE >> 1n]; // x^1
		for (let k = 1; k < 64; k++) powers.push(multiplyModP(powers[k - 1]!, powers[k - 1]!));
	}
	// x^(8·len2) mod p: bit k of len2 contributes x^(2^(k+3)).
	let shift = ONE;
	for (let n = BigInt(len2), k = 3; n; n >>= 1n, k++) if (n & 1n) shift = multiplyModP(powers[k & 63]!, shift);
	return multiplyModP(shift, crc1) ^ crc2;
}

/**
The decimal form OSS uses in `x-oss-hash-crc64ecma`.
@example
```
crc64ToString(crc64(new TextEncoder().encode('123456789'))) // '11051210869376104954'
```
*/
export const crc64ToString = (crc: bigint): string => BigInt.asUintN(64, crc).toString();
