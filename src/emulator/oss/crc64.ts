/**
CRC-64/XZ (a.k.a. CRC-64/GO-ECMA: the ECMA-182 polynomial, reflected, init and xor-out all ones), the checksum OSS
returns as `x-oss-hash-crc64ecma` (decimal). Slicing-by-8 over two 32-bit halves, so no BigInt per byte.
Check value: `crc64(Buffer.from('123456789')) === '11051210869376104954'`.
@module
*/

// Reflected ECMA-182 polynomial 0xC96C5795D7870F42, split in halves.
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;
// TABLES_HI[k * 256 + i]: slicing-by-8 tables, k = 0 is the classic byte table. Int32Array, so every value V8 handles
// stays a small integer (a Uint32Array hands out numbers ≥ 2^31 as doubles, which made this loop ~5× slower).
const TABLES_HI = new Int32Array(8 * 256);
const TABLES_LO = new Int32Array(8 * 256);

for (let i = 0; i < 256; i++) {
	let lo = i;
	let hi = 0;
	for (let bit = 0; bit < 8; bit++) {
		const carry = lo & 1;
		lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
		hi >>>= 1;
		if (carry) {
			lo = (lo ^ POLY_LO) >>> 0;
			hi = (hi ^ POLY_HI) >>> 0;
		}
	}
	TABLES_HI[i] = hi;
	TABLES_LO[i] = lo;
}
for (let k = 1; k < 8; k++) {
	for (let i = 0; i < 256; i++) {
		const hi = TABLES_HI[(k - 1) * 256 + i]!;
		const lo = TABLES_LO[(k - 1) * 256 + i]!;
		const index = lo & 0xff;
		TABLES_LO[k * 256 + i] = (((lo >>> 8) | (hi << 24)) ^ TABLES_LO[index]!) >>> 0;
		TABLES_HI[k * 256 + i] = ((hi >>> 8) ^ TABLES_HI[index]!) >>> 0;
	}
}

const MASK_32 = 0xffffffffn;
const MASK_64 = 0xffffffffffffffffn;

/**
CRC-64/XZ of `data` as OSS prints it (unsigned decimal). Pass the CRC of the preceding bytes as `previous` to continue
a running checksum: `crc64(b, crc64(a)) === crc64(Buffer.concat([a, b]))`.
*/
export function crc64(data: Uint8Array, previous = '0'): string {
	const start = BigInt(previous) ^ MASK_64;
	let hi = Number((start >> 32n) & MASK_32);
	let lo = Number(start & MASK_32);
	const length = data.length;
	let i = 0;
	const step = (xl: number, xh: number) => {
		const a = 7 * 256 + (xl & 0xff);
		const b = 6 * 256 + ((xl >>> 8) & 0xff);
		const c = 5 * 256 + ((xl >>> 16) & 0xff);
		const d = 4 * 256 + (xl >>> 24);
		const e = 3 * 256 + (xh & 0xff);
		const f = 2 * 256 + ((xh >>> 8) & 0xff);
		const g = 256 + ((xh >>> 16) & 0xff);
		const h = xh >>> 24;
		lo = TABLES_LO[a]! ^ TABLES_LO[b]! ^ TABLES_LO[c]! ^ TABLES_LO[d]! ^ TABLES_LO[e]! ^ TABLES_LO[f]! ^ TABLES_LO[g]! ^ TABLES_LO[h]!;
		hi = TABLES_HI[a]! ^ TABLES_HI[b]! ^ TABLES_HI[c]! ^ TABLES_HI[d]! ^ TABLES_HI[e]! ^ TABLES_HI[f]! ^ TABLES_HI[g]! ^ TABLES_HI[h]!;
	};
	const byte = (value: number) => {
		const index = (lo ^ value) & 0xff;
		lo = ((lo >>> 8) | (hi << 24)) ^ TABLES_LO[index]!;
		hi = (hi >>> 8) ^ TABLES_HI[index]!;
	};
	// Up to a 4-byte boundary byte by byte, then whole little-endian words through an Int32Array (Node is little-endian).
	while (i < length && (data.byteOffset + i) & 3) byte(data[i++]!);
	const words = new Int32Array(data.buffer, data.byteOffset + i, ((length - i) >> 3) << 1);
	for (let w = 0; w < words.length; w += 2) step(lo ^ words[w]!, hi ^ words[w + 1]!);
	i += words.length * 4;
	while (i < length) byte(data[i++]!);
	lo >>>= 0;
	hi >>>= 0;
	return (((BigInt(hi) << 32n) | BigInt(lo)) ^ MASK_64).toString();
}
