/**
Reading a body stream with a hard cap: reading stops (and the stream is cancelled) as soon as more than `maxBytes`
arrived, so an oversized body costs at most one extra chunk of memory.
@module
*/

/**
The bytes of `body`, or `undefined` when it holds more than `maxBytes`. A `null` body is empty.
@example
```
const bytes = await readLimited(request.body, 16_384);
if (!bytes) return tooLarge();
```
*/
export async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
	if (!body) return new Uint8Array(0);
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const {done, value} = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > maxBytes) {
				// Tell the source to stop sending; the rest is never read.
				reader.cancel().catch(() => {});
				return undefined;
			}
			chunks.push(value);
		}
	} finally {
		reader.releaseLock();
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}
