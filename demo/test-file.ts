// "No file at hand?": a test file with the same bytes, name and date on every call, so after a reload the SDK
// recognises it and resumes a paused upload.

/** A deterministic pseudo-random file of `size` bytes (xorshift32). */
export function makeTestFile(size: number): File {
	const bytes = new Uint8Array(size);
	const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
	let x = 0x2545f491;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		words[i] = x >>> 0;
	}
	const mb = Math.round(size / (1024 * 1024));
	return new File([bytes], `topsec-test-${mb}MB.bin`, {type: 'application/octet-stream', lastModified: Date.UTC(2025, 0, 1)});
}
