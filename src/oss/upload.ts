/**
`upload()`: a file from the page straight to OSS with STS credentials from the client. One signed PUT for small
files; multipart above the threshold, several parts at a time, resumable after a reload, each part CRC-checked.
@module
*/
import {OssError} from '../errors/oss-error.js';
import type {OssCredentialParams} from '../client/types.js';
import {checkpointPrefix, findCheckpointKey, fingerprint, isCheckpoint, type Checkpoint} from './checkpoint.js';
import {crc64, crc64Combine, crc64ToString} from './crc64.js';
import {objectUrl} from './endpoint.js';
import type {OssExchange} from './http.js';
import {assertKeyInDir, defaultObjectKey} from './key.js';
import {createOssRequester, type UploadClient} from './request.js';
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
	/** Part size in bytes, at least 100 KiB; raised so a file has at most 10 000 parts. @default 8 MiB */
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

const MIN_PART = 102_400;
const CRC_HEADER = 'x-oss-hash-crc64ecma';

const ossError = (code: string, message: string, status = 0) => new OssError({code, message, status});
// OSS lost the multipart upload (aborted, expired): start over. Only OSS answers carry this code.
const isLost = (error: unknown) => (error as OssError | undefined)?.code === 'NoSuchUpload';
const crcOf = (bytes: Uint8Array) => crc64ToString(crc64(bytes));
const read = async (blob: Blob, start?: number, end?: number) => new Uint8Array(await blob.slice(start, end).arrayBuffer());

/** The error when OSS reports a CRC-64 other than `crc` for `what`. */
function badCrc(exchange: OssExchange, crc: string, what: string): OssError | undefined {
	const reported = exchange.header(CRC_HEADER);
	return reported !== undefined && reported !== crc ? ossError('InvalidDigest', `CRC-64 of ${what} is ${reported}, expected ${crc}`) : undefined;
}

function fail(field: string, why: string): never {
	throw new TypeError(`\`${field}\` must ${why}`);
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
	if (typeof client?.getOssCredentials !== 'function') fail('client', 'be a topsec client');
	if (!(blob instanceof Blob)) fail('blob', 'be a Blob or File');
	if (typeof XMLHttpRequest !== 'function') throw new TypeError('upload() needs XMLHttpRequest (a page or WebView)');
	const {multipartThreshold = 8 * 1024 * 1024, concurrency = 4, retries = 5, signal, keepOnAbort, resume = true, partSize: wantedPartSize} = options;
	const isInteger = Number.isInteger;
	if (wantedPartSize !== undefined && !(isInteger(wantedPartSize) && wantedPartSize >= MIN_PART)) fail('partSize', 'be an integer ≥ 102400');
	if (!(isInteger(concurrency) && concurrency > 0 && concurrency < 33)) fail('concurrency', 'be an integer from 1 to 32');
	if (!(isInteger(retries) && retries >= 0)) fail('retries', 'be an integer ≥ 0');
	if (!(multipartThreshold >= 0)) fail('multipartThreshold', 'be a number ≥ 0');
	signal?.throwIfAborted();

	const {credentials, request} = createOssRequester(client, options.credentials, retries);
	const current = await credentials();
	const total = blob.size;
	const contentType = options.contentType ?? (blob.type || 'application/octet-stream');
	const multipart = total > multipartThreshold;
	const print = multipart ? await fingerprint(blob) : '';
	const key =
		options.key ?? (multipart && resume ? await findCheckpointKey(client, print) : undefined) ?? defaultObjectKey(current.dir, (blob as Partial<File>).name ?? 'blob', client.now());
	assertKeyInDir(key, current.dir); // Refused before anything is sent.

	let reported = -1;
	const progress = (loaded: number) => {
		loaded = Math.min(total, Math.max(reported, loaded));
		if (loaded > reported) options.onProgress?.({loaded: (reported = loaded), total});
	};
	const result = (etag: string, crc: string, partsSent: number): UploadResult => {
		progress(total);
		return {bucket: current.bucket, key, url: objectUrl(current, key), etag, size: total, crc64: crc, partsSent};
	};

	if (!multipart) {
		progress(0);
		const body = await read(blob);
		const crc = crcOf(body);
		const exchange = await request({method: 'PUT', key, headers: {'content-type': contentType}, body, onUploadProgress: progress}, signal);
		const error = badCrc(exchange, crc, key);
		if (error) throw error;
		return result(exchange.header('etag') ?? '', crc, 0);
	}

	const partSize = Math.max(wantedPartSize ?? 8 * 1024 * 1024, MIN_PART, Math.ceil(total / 10_000));
	// Checkpoint storage is best effort: a full disk must not fail the upload.
	const storageKey = checkpointPrefix(client, print) + key;
	const stored = () => client.storage.get(storageKey).catch(() => undefined);
	const save = (checkpoint?: Checkpoint) => (checkpoint ? client.storage.set(storageKey, checkpoint) : client.storage.del(storageKey)).catch(() => {});

	/**
	The checkpoint to continue from: stored, same shape, and confirmed by ListParts. OSS is the authority: a part it
	holds with the expected size counts as done even when the page went away before recording it (its CRC is computed
	from the file then; the whole object's CRC-64 is checked at the end either way).
	*/
	const resumeFrom = async (): Promise<Checkpoint | undefined> => {
		const saved = await stored();
		if (!isCheckpoint(saved, total, key) || saved.partSize < partSize / 2) return;
		const parts: Checkpoint['parts'] = {};
		const count = Math.ceil(total / saved.partSize);
		try {
			// Every page of ListParts.
			for (let marker = '0'; ; ) {
				const {text} = await request({method: 'GET', key, query: {uploadId: saved.uploadId, 'max-parts': '1000', 'part-number-marker': marker}}, signal);
				for (const block of xmlBlocks(text, 'Part')) {
					const number = Number(xmlValue(block, 'PartNumber'));
					const etag = xmlValue(block, 'ETag') ?? '';
					const start = (number - 1) * saved.partSize;
					const size = Math.min(saved.partSize, total - start);
					if (!(number >= 1 && number <= count) || Number(xmlValue(block, 'Size')) !== size) continue;
					const known = saved.parts[number];
					parts[number] = {etag, size, crc: known?.etag === etag && /^\d+$/.test(known.crc) ? known.crc : crcOf(await read(blob, start, start + size))};
				}
				const next = xmlValue(text, 'NextPartNumberMarker');
				if (xmlValue(text, 'IsTruncated') !== 'true' || !next || next === marker) return {...saved, parts};
				marker = next;
			}
		} catch (error) {
			if (!isLost(error)) throw error;
		}
	};

	const runMultipart = async (): Promise<UploadResult> => {
		let checkpoint = resume ? await resumeFrom() : undefined;
		if (!checkpoint) {
			await save();
			const {text} = await request({method: 'POST', key, query: {uploads: null}, headers: {'content-type': contentType}}, signal);
			const uploadId = xmlValue(text, 'UploadId');
			if (!uploadId) throw ossError('InvalidResponse', 'no UploadId', 200);
			checkpoint = {v: 1, uploadId, bucket: current.bucket, key, size: total, partSize, contentType, parts: {}, createdAt: Date.now()};
			await save(checkpoint);
		}
		const {uploadId, parts: done} = checkpoint;
		const size = checkpoint.partSize;
		const count = Math.ceil(total / size);
		let doneBytes = Object.values(done).reduce((sum, part) => sum + part.size, 0);
		let sending = 0; // Bytes of parts in flight.
		progress(doneBytes);

		const queue: number[] = [];
		for (let number = 1; number <= count; number++) if (!done[number]) queue.push(number);
		const partsSent = queue.length;
		// One worker failing for good stops the others; the caller's abort stops all.
		const stop = new AbortController();
		const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
		let saving = Promise.resolve();

		const worker = async () => {
			for (let number; (number = queue.shift()); ) {
				const start = (number - 1) * size;
				// Only this part is read into memory: at most `concurrency` parts at once, whatever the file's size.
				const bytes = await read(blob, start, start + size);
				const crc = crcOf(bytes);
				let sent = 0;
				for (let attempt = 0; ; attempt++) {
					const exchange = await request(
						{method: 'PUT', key, query: {partNumber: String(number), uploadId}, body: bytes, onUploadProgress: (now) => progress(doneBytes + (sending += now - sent, sent = now, sending))},
						stopSignal,
					);
					sending -= sent;
					sent = 0;
					const error = badCrc(exchange, crc, `part ${number}`);
					if (error && attempt < 2) continue;
					if (error) throw error;
					const etag = exchange.header('etag');
					if (!etag) throw ossError('ETagNotExposed', 'the bucket CORS rule must expose ETag', exchange.status);
					done[number] = {etag, size: bytes.length, crc};
					doneBytes += bytes.length;
					// Free the part's bytes now (the request copied them when it was sent) instead of at V8's next GC: else
					// finished parts pile up as garbage, 170 MiB of them at the peak of a 1 GiB upload. ES2024; elsewhere GC frees them.
					(bytes.buffer as {transfer?: (length: number) => unknown}).transfer?.(0);
					progress(doneBytes + sending);
					// Checkpoint writes are chained so they land in order.
					saving = saving.then(() => save(checkpoint));
					break;
				}
			}
		};
		try {
			await Promise.all(Array.from({length: Math.min(concurrency, queue.length)}, () => worker().catch((error: unknown) => {
				stop.abort(error);
				throw error;
			})));
		} catch (error) {
			// Prefer the first real cause (the reason `stop` got) over the aborts it triggered in sibling workers.
			throw signal?.aborted ? error : stop.signal.reason;
		} finally {
			await saving;
		}

		// Every part now has a CRC; combine them in order for the whole object (0 combined with A gives A).
		let crc = 0n;
		const parts = [];
		for (let partNumber = 1; partNumber <= count; partNumber++) {
			const part = done[partNumber]!;
			crc = crc64Combine(crc, BigInt(part.crc), part.size);
			parts.push({partNumber, etag: part.etag});
		}
		const expected = crc64ToString(crc);
		let exchange;
		try {
			exchange = await request({method: 'POST', key, query: {uploadId}, headers: {'content-type': 'application/xml'}, body: completeMultipartXml(parts)}, signal);
		} catch (error) {
			if (!isLost(error)) throw error;
			// A retried Complete whose first attempt went through finds the upload gone: the object may be there already.
			exchange = await request({method: 'HEAD', key}, signal).catch(() => undefined);
			if (exchange?.header(CRC_HEADER) !== expected) throw error;
		}
		await save();
		const error = badCrc(exchange, expected, key);
		if (error) throw error;
		return result(xmlValue(exchange.text, 'ETag') ?? exchange.header('etag') ?? '', expected, partsSent);
	};

	for (let restarts = 0; ; restarts++) {
		try {
			return await runMultipart();
		} catch (error) {
			// Every NoSuchUpload that gets here means OSS lost the upload (ListParts handles its own): start over.
			if (isLost(error) && restarts < 2) continue;
			if (signal?.aborted && !keepOnAbort) {
				// Abort the multipart upload on OSS (best effort, without the caller's aborted signal) and forget the checkpoint.
				const checkpoint = await stored();
				await save();
				if (isCheckpoint(checkpoint, total, key)) await request({method: 'DELETE', key, query: {uploadId: checkpoint.uploadId}}).catch(() => {});
			}
			throw error;
		}
	}
}
