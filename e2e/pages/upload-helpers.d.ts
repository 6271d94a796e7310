// Types for upload-helpers.js, which runs in the page (imported as `/upload-helpers.js` inside `page.evaluate`) and in
// Node (e2e/faults-kit.ts rebuilds the same bytes to count lost ones).

/** Deterministic bytes (xorshift32 words): the same for a size and seed in the page and in Node. */
export declare function makeBytes(size: number, seed?: number): Uint8Array<ArrayBuffer>;

/** A File of {@link makeBytes}; the same name and `lastModified` for a size and seed, so resume finds its checkpoint. */
export declare function makeFile(size: number, seed?: number, name?: string): File;

/** The SHA-256 of a Blob, in lower-case hex. */
export declare function sha256(blob: Blob): Promise<string>;
