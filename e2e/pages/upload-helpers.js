// Deterministic test files (the same bytes after a reload, so resume can find its checkpoint) and SHA-256 in the page.
/** Deterministic bytes (xorshift32 words): the same for a size and seed in the page and in Node. */
export function makeBytes(size, seed = 1) {
	const bytes = new Uint8Array(size);
	const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
	let x = seed >>> 0 || 1;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		words[i] = x >>> 0;
	}
	for (let i = words.length * 4; i < size; i++) bytes[i] = i & 0xff;
	return bytes;
}

export function makeFile(size, seed = 1, name = `file-${size}-${seed}.bin`) {
	return new File([makeBytes(size, seed)], name, {type: 'application/octet-stream', lastModified: 1_700_000_000_000 + seed});
}

export async function sha256(blob) {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
