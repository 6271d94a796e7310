import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {crc64, crc64Combine, crc64ToString} from '../src/oss/crc64.js';

// Bit-at-a-time reference (CRC-64/XZ: reflected 0xC96C5795D7870F42, init and xorout all ones).
function reference(data: Uint8Array): bigint {
	let crc = 0xffffffffffffffffn;
	for (const byte of data) {
		crc ^= BigInt(byte);
		for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
	}
	return crc ^ 0xffffffffffffffffn;
}

// Deterministic pseudo-random bytes.
function bytes(length: number, seed = 1): Uint8Array {
	const out = new Uint8Array(length);
	let x = seed;
	for (let i = 0; i < length; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
	return out;
}

describe('crc64', () => {
	it('check value "123456789" → 0x995DC9BBDF1939FA', () => {
		const crc = crc64(new TextEncoder().encode('123456789'));
		assert.equal(crc, 0x995dc9bbdf1939fan);
		assert.equal(crc64ToString(crc), '11051210869376104954');
	});
	it('empty input is 0 and leaves a running CRC unchanged', () => {
		assert.equal(crc64(new Uint8Array()), 0n);
		assert.equal(crc64(new Uint8Array(), 12345n), 12345n);
	});
	it('matches the bitwise reference for every length 0..80 and a larger buffer', () => {
		for (let length = 0; length <= 80; length++) assert.equal(crc64(bytes(length, length + 7)), reference(bytes(length, length + 7)), `length ${length}`);
		assert.equal(crc64(bytes(10_007)), reference(bytes(10_007)));
		assert.equal(crc64(new Uint8Array(100).fill(255)), reference(new Uint8Array(100).fill(255)));
	});
	it('is incremental over any chunking, also with subarray views', () => {
		const data = bytes(5000, 3);
		let crc = 0n;
		for (let offset = 0, size = 1; offset < data.length; offset += size, size = (size * 7 + 3) % 977) crc = crc64(data.subarray(offset, offset + size), crc);
		assert.equal(crc, crc64(data));
	});
	it('combines parts in order (zlib-style)', () => {
		const data = bytes(300_001, 9);
		const cuts = [0, 1, 8, 100_000, 100_003, 250_000, 300_001];
		let combined = 0n;
		for (let i = 1; i < cuts.length; i++) {
			const part = data.subarray(cuts[i - 1], cuts[i]);
			combined = i === 1 ? crc64(part) : crc64Combine(combined, crc64(part), part.length);
		}
		assert.equal(combined, crc64(data));
		assert.equal(crc64Combine(crc64(data), 0n, 0), crc64(data));
		assert.equal(crc64Combine(0n, crc64(data), data.length), crc64(data)); // empty first part
	});
	it('combine handles lengths beyond 2^32 (5 GiB parts)', () => {
		// crc(A ‖ zeros(n)) computed two ways: combine with the CRC of n zero bytes, built by doubling.
		let zeros = crc64(new Uint8Array(1));
		let length = 1;
		while (length < 5 * 2 ** 30) {
			zeros = crc64Combine(zeros, zeros, length);
			length *= 2;
		}
		const a = crc64(bytes(100));
		assert.equal(crc64Combine(crc64Combine(a, zeros, length), zeros, length), crc64Combine(a, crc64Combine(zeros, zeros, length), 2 * length));
	});
	it('prints unsigned decimal', () => {
		assert.equal(crc64ToString(-1n), '18446744073709551615');
	});
});
