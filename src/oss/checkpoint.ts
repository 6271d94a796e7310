/**
Resume records for multipart uploads, kept in the client's storage (IndexedDB) so a reload can pick up where it
stopped. Keyed by file fingerprint + object key; a record is only a hint: ListParts on the server decides which
parts really are there.
@module
*/
import {sha256Hex} from './encode.js';
import type {UploadClient} from './request.js';

/** One finished part. `crc` is the part's CRC-64 as a decimal string. */
export type DonePart = {etag: string; size: number; crc: string};

/** A multipart upload in progress. */
export type Checkpoint = {
	v: 1;
	uploadId: string;
	bucket: string;
	key: string;
	size: number;
	partSize: number;
	contentType: string;
	/** Part number → part. */
	parts: Record<number, DonePart>;
	createdAt: number;
};

/** Whether `value` is a usable checkpoint for a file of `size` bytes and `key`. */
export const isCheckpoint = (value: any, size: number, key: string): value is Checkpoint =>
	// Only what resuming relies on; ListParts vets the rest (a foreign or stale uploadId answers NoSuchUpload).
	value?.v === 1 && value.key === key && value.size === size && value.partSize > 0 && typeof value.uploadId === 'string' && !!value.parts;

/**
A fingerprint of a file that survives a reload: name, size, modification time, type, and SHA-256 of its first
64 KiB (so two different files with equal metadata do not share a checkpoint).
*/
export async function fingerprint(blob: Blob): Promise<string> {
	const file = blob as Partial<File>;
	const head = (await sha256Hex(await blob.slice(0, 65_536).arrayBuffer())).slice(0, 24);
	return `${file.name ?? ''}|${blob.size}|${file.lastModified ?? 0}|${blob.type}|${head}`;
}

/** Storage key prefix of every checkpoint of this file. */
export const checkpointPrefix = (client: UploadClient, print: string): string => `${client.namespace}upload:${print}|`;

/** The object key of a checkpoint of this file kept from an earlier page, if any (for uploads without an explicit key). */
export async function findCheckpointKey(client: UploadClient, print: string): Promise<string | undefined> {
	try {
		const prefix = checkpointPrefix(client, print);
		const [first] = await client.storage.keys(prefix);
		return first?.slice(prefix.length);
	} catch {
		return undefined;
	}
}
