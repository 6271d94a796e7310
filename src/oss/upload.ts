/**
`upload()`: a file from the page straight to OSS with STS credentials from the client. One signed PUT for small
files; multipart above the threshold, several parts at a time, resumable after a reload, each part CRC-checked.
@module
*/
import {OssError, isOssError} from '../errors/oss-error.js';
import type {OssCredentialParams} from '../client/types.js';
import {checkpointPrefix, findCheckpointKey, fingerprint, isCheckpoint, type Checkpoint, type DonePart} from './checkpoint.js';
import {crc64, crc64Combine, crc64ToString} from './crc64.js';
import {objectUrl} from './endpoint.js';
import {assertKeyInDir, defaultObjectKey} from './key.js';
import {createOssRequester, type OssRequester, type UploadClient} from './request.js';
import {completeMultipartXml, xmlBlocks, xmlValue} from './xml.js';

/** Progress of an upload; `loaded` only grows and ends at `total`. */
export type UploadProgress = {loaded: number; total: number};

/** Options of {@link upload}. */
export type UploadOptions = {
	/** Object key; must start with the credentials' `dir`. @default `<dir><yyyy-mm-dd>/<random>-<safe file name>` */
	key?: string;
	/** Params for `client.getOssCredentials()`. */
	credentials?: OssCredentialParams;
	/** @default the blob's type, else 'application/octet-stream' */
	contentType?: string;
	/** Files larger than this go multipart. @default 8 MiB */
	multipartThreshold?: number;
	/** Part size in bytes, at least 100 KiB; raised so a file has at most 10 000 parts. @default 4 MiB */
	partSize?: number;
	/** Parts in flight at once. @default 4 */
	concurrency?: number;
	/** Retries of each request on network errors and 5xx. @default 5 */
	retries?: number;
	/** Called as bytes go out. */
	onProgress?: (progress: UploadProgress) => void;
	/** Aborts the upload. */
	signal?: AbortSignal;
	/** On abort, keep the multipart upload and its checkpoint so a later `upload()` of the same file resumes. @default false */
	keepOnAbort?: boolean;
	/** Resume from a checkpoint of an earlier page when there is one. @default true */
	resume?: boolean;
};

/** What {@link upload} returns. */
export type UploadResult = {
	bucket: string;
	key: string;
	/** The object's URL (readable only if the bucket or object allows it). */
	url: string;
	etag: string;
	size: number;
	/** CRC-64/XZ of the object, as OSS reports it (decimal). */
	crc64: string;
	/** Parts sent by this call (0 for a single PUT); fewer than the total when resumed. */
	partsSent: number;
};

const MIN_PART = 100 * 1024;
const MAX_PARTS = 10_000;

/** Thrown inside the multipart loop when OSS lost the upload (`NoSuchUpload`): start over. */
class Restart extends Error {}

function crcMismatch(what: string, expected: string, actual: string | undefined) {
	return new OssError({code: 'InvalidDigest', message: `CRC-64 of ${what} is ${actual}, expected ${expected}: the data changed on the way`, status: 0});
}

/**
Uploads `blob` to OSS with STS credentials from `client`.
@example
```
import {upload} from 'topsec/oss';

const result = await upload(client, input.files[0], {
	credentials: {merchantCode: 'm1'},
	onProgress: ({loaded, total}) => (bar.value = loaded / total),
	signal: controller.signal,
});
console.log(result.url);
```
*/
export async function upload(client: UploadClient, blob: Blob, options: UploadOptions = {}): Promise<UploadResult> {
	if (!client || typeof client.getOssCredentials !== 'function') throw new TypeError('`client` must be a topsec client (createClient)');
	if (!(blob instanceof Blob)) throw new TypeError('`blob` must be a Blob or File');
	const {multipartThreshold = 8 * 1024 * 1024, concurrency = 4, retries = 5, signal, keepOnAbort = false, resume = true} = options;
	if (options.partSize !== undefined && !(Number.isInteger(options.partSize) && options.partSize >= MIN_PART)) throw new TypeError('`partSize` must be an integer of at least 102400 (100 KiB)');
	if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 32)) throw new TypeError('`concurrency` must be an integer from 1 to 32');
	if (!(Number.isInteger(retries) && retries >= 0)) throw new TypeError('`retries` must be a non-negative integer');
	if (!(multipartThreshold >= 0)) throw new TypeError('`multipartThreshold` must be a non-negative number');
	signal?.throwIfAborted();

	const requester = createOssRequester(client, options.credentials, retries);
	const credentials = await requester.credentials();
	const total = blob.size;
	const contentType = options.contentType ?? (blob.type || 'application/octet-stream');
	const multipart = total > multipartThreshold;
	const print = multipart && resume ? await fingerprint(blob) : undefined;
	const key = options.key ?? (print && (await findCheckpointKey(client, print))) ?? defaultObjectKey(credentials.dir, (blob as Partial<File>).name ?? 'blob', client.now());
	assertKeyInDir(key, credentials.dir); // Refused before anything is sent.

	let reported = -1;
	const progress = (loaded: number) => {
		const value = Math.min(total, Math.max(reported, loaded));
		if (value === reported) return;
		reported = value;
		options.onProgress?.({loaded: value, total});
	};
	const result = (etag: string, crc: string, partsSent: number): UploadResult => {
		progress(total);
		return {bucket: credentials.bucket, key, url: objectUrl(credentials, key), etag, size: total, crc64: crc, partsSent};
	};

	if (!multipart) {
		progress(0);
		const body = new Uint8Array(await blob.arrayBuffer());
		const crc = crc64ToString(crc64(body));
		const response = await requester.request({method: 'PUT', key, headers: {'content-type': contentType}, body, onUploadProgress: progress}, signal);
		const reportedCrc = response.header('x-oss-hash-crc64ecma');
		if (reportedCrc !== undefined && reportedCrc !== crc) throw crcMismatch(key, crc, reportedCrc);
		return result(response.header('etag') ?? '', crc, 0);
	}

	const partSize = Math.max(options.partSize ?? 4 * 1024 * 1024, MIN_PART, Math.ceil(total / MAX_PARTS));
	const storageKey = `${checkpointPrefix(client, print ?? (await fingerprint(blob)))}${key}`;
	const job: MultipartJob = {client, requester, blob, key, total, contentType, concurrency, storageKey, signal, progress, resume};
	for (let restarts = 0; ; restarts++) {
		try {
			const {etag, crc, partsSent} = await runMultipart(job, partSize);
			return result(etag, crc, partsSent);
		} catch (error) {
			if (error instanceof Restart && restarts < 2) continue;
			if (signal?.aborted && !keepOnAbort) await abandon(job);
			throw error instanceof Restart ? error.cause : error;
		}
	}
}

type MultipartJob = {
	client: UploadClient;
	requester: OssRequester;
	blob: Blob;
	key: string;
	total: number;
	contentType: string;
	concurrency: number;
	storageKey: string;
	signal: AbortSignal | undefined;
	progress: (loaded: number) => void;
	resume: boolean;
};

const storeCheckpoint = (job: MultipartJob, checkpoint: Checkpoint) => job.client.storage.set(job.storageKey, checkpoint).catch(() => {}); // A full disk must not fail the upload.
const dropCheckpoint = (job: MultipartJob) => job.client.storage.del(job.storageKey).catch(() => {});

/** Abort the multipart upload on OSS (best effort, without the caller's aborted signal) and forget the checkpoint. */
async function abandon(job: MultipartJob) {
	const checkpoint = await job.client.storage.get(job.storageKey).catch(() => undefined);
	await dropCheckpoint(job);
	if (isCheckpoint(checkpoint, {size: job.total, key: job.key})) {
		await job.requester.request({method: 'DELETE', key: job.key, query: {uploadId: checkpoint.uploadId}}).catch(() => {});
	}
}

/** Parts OSS already holds for `uploadId` (all pages of ListParts). */
async function listParts(job: MultipartJob, uploadId: string): Promise<Map<number, {etag: string; size: number}>> {
	const parts = new Map<number, {etag: string; size: number}>();
	for (let marker = '0'; ; ) {
		const {text} = await job.requester.request({method: 'GET', key: job.key, query: {uploadId, 'max-parts': '1000', 'part-number-marker': marker}}, job.signal);
		for (const block of xmlBlocks(text, 'Part')) {
			parts.set(Number(xmlValue(block, 'PartNumber')), {etag: xmlValue(block, 'ETag') ?? '', size: Number(xmlValue(block, 'Size'))});
		}
		const next = xmlValue(text, 'NextPartNumberMarker');
		if (xmlValue(text, 'IsTruncated') !== 'true' || !next || next === marker) return parts;
		marker = next;
	}
}

/**
The checkpoint to continue from: stored, same shape, and confirmed by ListParts. OSS is the authority: a part it
holds with the expected size counts as done even when the page went away before recording it (its CRC is computed
from the file then; the whole object's CRC-64 is checked at the end either way).
*/
async function resumeFrom(job: MultipartJob, partSize: number): Promise<Checkpoint | undefined> {
	if (!job.resume) return undefined;
	const stored = await job.client.storage.get(job.storageKey).catch(() => undefined);
	if (!isCheckpoint(stored, {size: job.total, key: job.key}) || stored.partSize < partSize / 2) return undefined;
	let onServer: Map<number, {etag: string; size: number}>;
	try {
		onServer = await listParts(job, stored.uploadId);
	} catch (error) {
		if (isOssError(error) && error.code === 'NoSuchUpload') return undefined;
		throw error;
	}
	const parts: Record<number, DonePart> = {};
	const count = Math.ceil(job.total / stored.partSize);
	for (const [number, server] of onServer) {
		if (!(number >= 1 && number <= count)) continue;
		const start = (number - 1) * stored.partSize;
		const size = Math.min(stored.partSize, job.total - start);
		if (server.size !== size) continue;
		const known = stored.parts[number];
		const crc = known && known.etag === server.etag && /^\d+$/.test(String(known.crc)) ? known.crc : crc64ToString(crc64(new Uint8Array(await job.blob.slice(start, start + size).arrayBuffer())));
		parts[number] = {etag: server.etag, size, crc};
	}
	return {...stored, parts};
}

async function runMultipart(job: MultipartJob, wantedPartSize: number): Promise<{etag: string; crc: string; partsSent: number}> {
	const {requester, blob, key, total, signal} = job;
	let checkpoint = await resumeFrom(job, wantedPartSize);
	if (!checkpoint) {
		await dropCheckpoint(job);
		const {text} = await requester.request({method: 'POST', key, query: {uploads: null}, headers: {'content-type': job.contentType}}, signal);
		const uploadId = xmlValue(text, 'UploadId');
		if (!uploadId) throw new OssError({code: 'InvalidResponse', message: 'InitiateMultipartUpload answered without an UploadId', status: 200});
		const credentials = await requester.credentials();
		checkpoint = {v: 1, uploadId, bucket: credentials.bucket, key, size: total, partSize: wantedPartSize, contentType: job.contentType, parts: {}, createdAt: Date.now()};
		await storeCheckpoint(job, checkpoint);
	}
	const {uploadId, partSize} = checkpoint;
	const count = Math.max(1, Math.ceil(total / partSize));
	const done = checkpoint.parts;
	const inFlight = new Map<number, number>();
	let doneBytes = Object.values(done).reduce((sum, part) => sum + part.size, 0);
	const report = () => {
		let sending = 0;
		for (const sent of inFlight.values()) sending += sent;
		job.progress(doneBytes + sending);
	};
	report();

	const queue: number[] = [];
	for (let number = 1; number <= count; number++) if (!done[number]) queue.push(number);
	const partsSent = queue.length;
	// One worker failing for good stops the others; the caller's abort stops all.
	const stop = new AbortController();
	const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
	let saving = Promise.resolve();

	const sendPart = async (number: number) => {
		const start = (number - 1) * partSize;
		// Only this part is read into memory: at most `concurrency` parts at once, whatever the file's size.
		const bytes = new Uint8Array(await blob.slice(start, Math.min(start + partSize, total)).arrayBuffer());
		const crc = crc64ToString(crc64(bytes));
		for (let attempt = 0; ; attempt++) {
			let exchange;
			try {
				exchange = await requester.request(
					{method: 'PUT', key, query: {partNumber: String(number), uploadId}, body: bytes, onUploadProgress: (sent) => (inFlight.set(number, sent), report())},
					stopSignal,
				);
			} catch (error) {
				if (isOssError(error) && error.code === 'NoSuchUpload') throw new Restart('upload lost', {cause: error});
				throw error;
			}
			inFlight.delete(number);
			const reportedCrc = exchange.header('x-oss-hash-crc64ecma');
			if (reportedCrc !== undefined && reportedCrc !== crc) {
				if (attempt < 2) continue;
				throw crcMismatch(`part ${number}`, crc, reportedCrc);
			}
			const etag = exchange.header('etag');
			if (!etag) throw new OssError({code: 'ETagNotExposed', message: 'OSS answered without a readable ETag: the bucket CORS rule must expose the ETag header', status: exchange.status});
			done[number] = {etag, size: bytes.length, crc};
			doneBytes += bytes.length;
			report();
			// Checkpoint writes are chained so they land in order.
			saving = saving.then(() => storeCheckpoint(job, checkpoint!));
			return;
		}
	};

	const worker = async () => {
		for (let number = queue.shift(); number !== undefined; number = queue.shift()) await sendPart(number);
	};
	try {
		await Promise.all(Array.from({length: Math.min(job.concurrency, queue.length)}, () => worker().catch((error: unknown) => {
			stop.abort(error);
			throw error;
		})));
	} catch (error) {
		// Prefer the first real cause over the aborts it triggered in sibling workers.
		throw stop.signal.aborted && !signal?.aborted ? stop.signal.reason : error;
	} finally {
		await saving;
	}

	// Every part now has a CRC; combine them in order for the whole object.
	let crc = 0n;
	for (let number = 1; number <= count; number++) {
		const part = done[number]!;
		crc = number === 1 ? BigInt(part.crc) : crc64Combine(crc, BigInt(part.crc), part.size);
	}
	const parts = Object.entries(done).map(([number, part]) => ({partNumber: Number(number), etag: part.etag}));
	let exchange;
	try {
		exchange = await requester.request({method: 'POST', key, query: {uploadId}, headers: {'content-type': 'application/xml'}, body: completeMultipartXml(parts)}, signal);
	} catch (error) {
		if (!(isOssError(error) && error.code === 'NoSuchUpload')) throw error;
		// A retried Complete whose first attempt went through finds the upload gone: the object may be there already.
		const head = await requester.request({method: 'HEAD', key}, signal).catch(() => undefined);
		if (!head || head.header('x-oss-hash-crc64ecma') !== crc64ToString(crc)) throw new Restart('upload lost', {cause: error});
		exchange = {...head, text: ''};
	}
	await dropCheckpoint(job);
	const expected = crc64ToString(crc);
	const reportedCrc = exchange.header('x-oss-hash-crc64ecma');
	if (reportedCrc !== undefined && reportedCrc !== expected) throw crcMismatch(key, expected, reportedCrc);
	return {etag: xmlValue(exchange.text, 'ETag') ?? exchange.header('etag') ?? '', crc: expected, partsSent};
}
