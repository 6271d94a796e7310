/**
The OSS emulator's request handler: routing, bodies, objects, multipart uploads, CORS, faults and the request log.
@module
*/
import {createHash, randomBytes} from 'node:crypto';
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {StsIssuer} from '../sts.js';
import {authenticate, checkScope} from './auth.js';
import type {SignedRequestParts} from './auth-v4.js';
import {crc64Combine} from '../../oss/crc64.js';
import {crc64} from './crc64.js';
import {isOssFailure, ossError, type OssFailure} from './errors.js';
import {createFaultQueue, type OssFault, type OssFaultKind} from './faults.js';
import {authorizePostObject, formBoundary, parseForm} from './post-object.js';
import {createStore, type StoredObject} from './store.js';
import {parseCompleteMultipartUpload, xmlDocument, type XmlChildren} from './xml.js';

/** Options of {@link createOssEmulator}. */
export type OssEmulatorOptions = {
	/** The issuer whose credentials this emulator accepts (the TOP emulator's gettoken mints with the same one). */
	sts: StsIssuer;
	/**
	Clock for skew checks, Last-Modified and the log (epoch ms).
	@default Date.now
	*/
	now?: () => number;
	/**
	Largest accepted difference between the request's date and the clock.
	@default 900_000 (15 minutes, as OSS)
	*/
	maxSkewMs?: number;
	/**
	Origins allowed by the bucket CORS rule.
	@default '*'
	*/
	corsOrigins?: readonly string[] | '*';
	/**
	Largest object (and part) kept in memory; PostObject forms are further capped at 100 MiB.
	@default 1 GiB
	*/
	maxObjectBytes?: number;
};

/**
One request as the emulator saw it. Entries are appended when a request arrives and completed when it is answered
(`status` stays `0` when no answer was sent, e.g. a dropped connection).
*/
export type OssLogEntry = {
	/** Arrival, epoch ms (emulator clock). */
	at: number;
	method: string;
	bucket: string;
	/** Decoded object key (`''` for bucket-level requests; the form's key for PostObject). */
	key: string;
	/** Decoded query parameters, e.g. `{partNumber: '3', uploadId: '…'}`; `{uploads: ''}` for a bare flag. */
	query: Readonly<Record<string, string>>;
	status: number;
	/** OSS error code of an error answer. */
	code?: string;
	/** Request body bytes received. */
	bytes: number;
	requestId: string;
	/** The injected fault applied to this request. */
	fault?: OssFaultKind;
};

/** A stored object as {@link OssEmulator.getObject} returns it (the body is the stored Buffer: do not modify). */
export type OssObjectSnapshot = {body: Buffer; etag: string; contentType?: string; crc64: string};

/** A local Aliyun OSS. */
export type OssEmulator = {
	/** node:http handler; the caller routes requests whose Host is `<bucket>.oss-<region>.localhost[:port]` here. */
	handle(req: IncomingMessage, res: ServerResponse): void;
	/** True when a Host header is one this emulator serves. */
	matchesHost(host: string | undefined): boolean;
	/** Every request, in arrival order, preflights included. */
	readonly log: readonly OssLogEntry[];
	clearLog(): void;
	/** Queues a fault (FIFO). */
	inject(fault: OssFault): void;
	clearFaults(): void;
	/** A stored object; `etag` is quoted as in the `ETag` header. */
	getObject(bucket: string, key: string): OssObjectSnapshot | undefined;
	/** Keys in a bucket, sorted. */
	listObjects(bucket: string): string[];
};

const HOST_PATTERN = /^([^.:]+)\.oss-([a-z0-9-]+)\.localhost(?::\d+)?$/;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const MIN_PART_BYTES = 100 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_POST_BYTES = 100 * 1024 * 1024;
const MAX_XML_BYTES = 2 * 1024 * 1024;
const EXPOSE_HEADERS = 'ETag, x-oss-request-id, x-oss-hash-crc64ecma, Date';
const ALLOW_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];

const md5 = (data: Buffer) => createHash('md5').update(data).digest();
const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toUpperCase();

/** Splits a raw query string into decoded pairs; throws `URIError` on bad escapes. */
function parseQuery(raw: string): Array<[string, string]> {
	if (raw === '') return [];
	return raw
		.split('&')
		.filter(Boolean)
		.map(piece => {
			const at = piece.indexOf('=');
			return at < 0
				? [decodeURIComponent(piece), '']
				: [decodeURIComponent(piece.slice(0, at)), decodeURIComponent(piece.slice(at + 1))];
		});
}

type Body = {kind: 'ok'; data: Buffer} | {kind: 'too-large'} | {kind: 'aborted'};

/** Creates an {@link OssEmulator}. */
export function createOssEmulator(options: OssEmulatorOptions): OssEmulator {
	if (!options || typeof options.sts?.verify !== 'function') throw new TypeError('The `sts` option is required');
	const sts = options.sts;
	const now = options.now ?? Date.now;
	const maxSkewMs = options.maxSkewMs ?? 15 * 60_000;
	const corsOrigins = options.corsOrigins ?? '*';
	const maxObjectBytes = options.maxObjectBytes ?? 1024 ** 3;
	const store = createStore();
	const faults = createFaultQueue();
	let log: OssLogEntry[] = [];

	const corsFor = (origin: string | undefined): Record<string, string> | undefined => {
		if (!origin) return undefined;
		if (corsOrigins === '*') return {'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSE_HEADERS};
		if (!corsOrigins.includes(origin)) return undefined;
		return {'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSE_HEADERS, Vary: 'Origin'};
	};

	async function serve(req: IncomingMessage, res: ServerResponse, entry: OssLogEntry): Promise<void> {
		const method = entry.method;
		const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
		const host = (req.headers.host ?? '').toLowerCase();

		const drain = async () => {
			if (req.readableEnded || req.destroyed) return;
			await new Promise<void>(resolve => {
				req.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
				req.once('end', resolve);
				req.once('close', resolve);
				req.once('error', () => resolve());
			});
		};
		const readBody = (limit: number): Promise<Body> => {
			const declared = Number(req.headers['content-length'] ?? 0);
			if (declared > limit) return Promise.resolve({kind: 'too-large'});
			return new Promise<Body>(resolve => {
				const chunks: Buffer[] = [];
				let size = 0;
				req.on('data', (chunk: Buffer) => {
					entry.bytes += chunk.length;
					size += chunk.length;
					if (size <= limit) chunks.push(chunk);
				});
				req.once('end', () => resolve(size > limit ? {kind: 'too-large'} : {kind: 'ok', data: Buffer.concat(chunks, size)}));
				req.once('error', () => resolve({kind: 'aborted'}));
				req.once('close', () => {
					if (!req.complete) resolve({kind: 'aborted'});
				});
			});
		};
		const send = async (status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
			await drain();
			if (res.headersSent || res.destroyed) return;
			entry.status = status;
			const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
			res.writeHead(status, {
				Server: 'AliyunOSS',
				Date: new Date(now()).toUTCString(),
				'x-oss-request-id': entry.requestId,
				...(corsFor(origin) ?? {}),
				...(headers['Content-Length'] === undefined ? {'Content-Length': payload?.length ?? 0} : {}),
				...headers,
			});
			if (method === 'HEAD' || payload === undefined) res.end();
			else res.end(payload);
		};
		const fail = (failure: OssFailure) => {
			entry.code = failure.code;
			const hostId = host.replace(/:\d+$/, '');
			const children: XmlChildren = [
				['Code', failure.code],
				['Message', failure.message],
				['RequestId', entry.requestId],
				['HostId', hostId],
				...failure.extra,
				['EC', failure.ec],
				['RecommendDoc', `https://api.aliyun.com/troubleshoot?q=${failure.ec}`],
			];
			const document = xmlDocument('Error', children);
			// HEAD answers have no body, so OSS carries the error document base64-encoded in x-oss-err.
			const headOnly: Record<string, string> = method === 'HEAD' ? {'x-oss-err': Buffer.from(document).toString('base64')} : {};
			return send(failure.status, {'Content-Type': 'application/xml', 'x-oss-ec': failure.ec, ...headOnly, ...failure.headers}, document);
		};
		const xml = (root: string, children: XmlChildren, headers: Record<string, string> = {}) =>
			send(200, {'Content-Type': 'application/xml', ...headers}, xmlDocument(root, children));

		// Where: <bucket>.oss-<region>.localhost[:port]/<key>?<query>
		const hostMatch = HOST_PATTERN.exec(host);
		if (!hostMatch) return fail(ossError('InvalidArgument', 'The Host must look like <bucket>.oss-<region>.localhost[:port].'));
		const bucket = hostMatch[1]!;
		const region = hostMatch[2]!;
		const url = req.url ?? '/';
		const queryAt = url.indexOf('?');
		const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
		let key: string;
		let query: Array<[string, string]>;
		try {
			key = decodeURIComponent(rawPath.replace(/^\//, ''));
			query = parseQuery(queryAt < 0 ? '' : url.slice(queryAt + 1));
		} catch {
			return fail(ossError('InvalidURI'));
		}
		const params = new Map(query);
		entry.bucket = bucket;
		entry.key = key;
		entry.query = Object.fromEntries(query);
		if (!BUCKET_PATTERN.test(bucket)) return fail(ossError('InvalidBucketName', undefined, [['BucketName', bucket]]));

		// Faults first: they stand in for trouble on the way to OSS.
		const isUploadPart = method === 'PUT' && params.has('partNumber') && params.has('uploadId');
		const fault = faults.take(method, isUploadPart);
		if (fault) {
			entry.fault = fault.kind;
			if (fault.kind === 'drop') {
				const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
				if (!hasBody) {
					req.socket.destroy();
					return;
				}
				req.once('data', (chunk: Buffer) => {
					entry.bytes += chunk.length;
					req.socket.destroy();
				});
				return;
			}
			if (fault.kind === 'delay') await new Promise(resolve => setTimeout(resolve, fault.ms));
			if (fault.kind === 'expire-credentials') sts.expireAll();
			if (fault.kind === 'http') {
				const failure = fault.status === 503 ? ossError('ServiceUnavailable') : ossError('InternalError');
				failure.status = fault.status;
				return fail(failure);
			}
		}

		if (method === 'OPTIONS') return preflight();

		if (key === '') {
			if (method === 'POST' && formBoundary(req.headers['content-type'])) return postObject();
			const auth = authenticate(signable(), {sts, now: now(), maxSkewMs, region});
			if (isOssFailure(auth)) return fail(auth);
			return fail(ossError('NotImplemented', 'Bucket-level operations other than PostObject are not emulated.'));
		}
		if (Buffer.byteLength(key) > 1023 || key.startsWith('/') || key.startsWith('\\')) {
			return fail(ossError('InvalidObjectName', undefined, [['ObjectName', key]]));
		}
		const auth = authenticate(signable(), {sts, now: now(), maxSkewMs, region});
		if (isOssFailure(auth)) return fail(auth);
		const scope = checkScope(auth.credentials, bucket, key, region, store.bucketRegion(bucket, region));
		if (scope) return fail(scope);

		const uploadId = params.get('uploadId');
		switch (method) {
			case 'PUT':
				if (params.has('partNumber') || uploadId !== undefined) return uploadPart();
				return putObject();
			case 'POST':
				if (params.has('uploads')) return initiate();
				if (uploadId !== undefined) return complete(uploadId);
				return fail(ossError('MethodNotAllowed', 'Only ?uploads and ?uploadId are emulated for POST on an object (no AppendObject).'));
			case 'GET':
				if (uploadId !== undefined) return listParts(uploadId);
				return getObject();
			case 'HEAD':
				return getObject();
			case 'DELETE':
				if (uploadId !== undefined) return abort(uploadId);
				store.delete(bucket, key);
				return send(204, {});
			default:
				return fail(ossError('MethodNotAllowed'));
		}

		function signable(): SignedRequestParts {
			return {method, bucket, key, query, headers: req.headers};
		}

		function preflight() {
			const requestMethod = req.headers['access-control-request-method'];
			if (!origin || typeof requestMethod !== 'string') {
				return fail({...ossError('AccessForbidden', 'Insufficient information. Origin request header needed.'), status: 403});
			}
			const allowed = corsFor(origin);
			if (!allowed || !ALLOW_METHODS.includes(requestMethod.toUpperCase())) {
				return fail({
					...ossError('AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.'),
					status: 403,
				});
			}
			const requestHeaders = req.headers['access-control-request-headers'];
			return send(200, {
				'Access-Control-Allow-Methods': ALLOW_METHODS.join(', '),
				...(typeof requestHeaders === 'string' && requestHeaders.trim() ? {'Access-Control-Allow-Headers': requestHeaders} : {}),
				'Access-Control-Max-Age': 600,
				Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
			});
		}

		function checkMd5(data: Buffer): OssFailure | undefined {
			const raw = req.headers['content-md5'];
			if (raw === undefined) return undefined;
			const header = Array.isArray(raw) ? raw.join(',') : raw;
			const digest = Buffer.from(header, 'base64');
			if (digest.length !== 16 || digest.toString('base64') !== header.trim()) return ossError('InvalidDigest');
			return digest.equals(md5(data)) ? undefined : ossError('BadDigest', undefined, [['ExpectedMD5', header], ['CalculatedMD5', md5(data).toString('base64')]]);
		}

		async function readUpload(limit: number): Promise<Buffer | undefined> {
			if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
				await fail(ossError('MissingContentLength'));
				return undefined;
			}
			const body = await readBody(limit);
			if (body.kind === 'aborted') {
				entry.code = 'IncompleteBody';
				await fail(ossError('IncompleteBody'));
				return undefined;
			}
			if (body.kind === 'too-large') {
				await fail(ossError('EntityTooLarge', undefined, [['MaxSizeAllowed', String(limit)]]));
				return undefined;
			}
			const digest = checkMd5(body.data);
			if (digest) {
				await fail(digest);
				return undefined;
			}
			return body.data;
		}

		async function putObject() {
			if (req.headers['x-oss-forbid-overwrite'] === 'true' && store.get(bucket, key)) return fail(ossError('FileAlreadyExists'));
			const data = await readUpload(maxObjectBytes);
			if (!data) return;
			const digest = md5(data);
			const object: StoredObject = {body: data, etag: `"${digest.toString('hex').toUpperCase()}"`, crc64: crc64(data), lastModified: now(), type: 'Normal'};
			const contentType = req.headers['content-type'];
			if (contentType) object.contentType = contentType;
			store.put(bucket, key, object);
			return send(200, {ETag: object.etag, 'x-oss-hash-crc64ecma': object.crc64, 'Content-MD5': digest.toString('base64')});
		}

		async function getObject() {
			const object = store.get(bucket, key);
			if (!object) return fail(ossError('NoSuchKey', undefined, [['Key', key]]));
			const size = object.body.length;
			const headers: Record<string, string | number> = {
				'Content-Type': object.contentType ?? 'application/octet-stream',
				ETag: object.etag,
				'Last-Modified': new Date(object.lastModified).toUTCString(),
				'x-oss-hash-crc64ecma': object.crc64,
				'x-oss-object-type': object.type,
				'x-oss-storage-class': 'Standard',
				'Accept-Ranges': 'bytes',
			};
			const range = parseRange(req.headers.range, size);
			if (range === 'unsatisfiable') {
				return fail({...ossError('InvalidRange'), headers: {'Content-Range': `bytes */${size}`}});
			}
			if (range) {
				const [start, end] = range;
				return send(206, {...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1}, object.body.subarray(start, end + 1));
			}
			return send(200, {...headers, 'Content-Length': size}, object.body);
		}

		async function initiate() {
			await drain();
			const upload = store.createUpload(bucket, key, req.headers['content-type'], now());
			return xml('InitiateMultipartUploadResult', [['Bucket', bucket], ['Key', key], ['UploadId', upload.uploadId]]);
		}

		async function uploadPart() {
			const partText = params.get('partNumber') ?? '';
			const partNumber = Number(partText);
			if (!/^\d+$/.test(partText) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
				return fail(ossError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.', [['ArgumentName', 'partNumber'], ['ArgumentValue', partText]]));
			}
			const upload = store.upload(uploadId ?? '', bucket, key);
			if (!upload) return fail(ossError('NoSuchUpload', undefined, [['UploadId', uploadId ?? '']]));
			const data = await readUpload(Math.min(maxObjectBytes, 5 * 1024 ** 3));
			if (!data) return;
			const digest = md5(data);
			const part = {body: data, etag: `"${digest.toString('hex').toUpperCase()}"`, crc64: crc64(data), lastModified: now()};
			// A part may have been aborted while its body streamed in.
			if (!store.upload(upload.uploadId, bucket, key)) return fail(ossError('NoSuchUpload', undefined, [['UploadId', upload.uploadId]]));
			upload.parts.set(partNumber, part);
			return send(200, {ETag: part.etag, 'x-oss-hash-crc64ecma': part.crc64, 'Content-MD5': digest.toString('base64')});
		}

		async function complete(id: string) {
			const upload = store.upload(id, bucket, key);
			if (!upload) return fail(ossError('NoSuchUpload', undefined, [['UploadId', id]]));
			const body = await readBody(MAX_XML_BYTES);
			if (body.kind === 'aborted') return fail(ossError('IncompleteBody'));
			if (body.kind === 'too-large') return fail(ossError('EntityTooLarge'));
			const digest = checkMd5(body.data);
			if (digest) return fail(digest);
			let requested = parseCompleteMultipartUpload(body.data.toString('utf8'));
			if (body.data.length === 0 && String(req.headers['x-oss-complete-all']).toLowerCase() === 'yes') {
				requested = [...upload.parts.entries()].sort(([a], [b]) => a - b).map(([partNumber, part]) => ({partNumber, etag: part.etag}));
			}
			if (!requested || requested.length === 0) return fail(ossError('MalformedXML'));
			let previous = 0;
			for (const {partNumber, etag} of requested) {
				if (partNumber <= previous) return fail(ossError('InvalidPartOrder', undefined, [['PartNumber', String(partNumber)]]));
				previous = partNumber;
				const part = upload.parts.get(partNumber);
				if (!part || bareEtag(part.etag) !== bareEtag(etag)) {
					return fail(ossError('InvalidPart', undefined, [['PartNumber', String(partNumber)], ['ETag', etag], ['UploadId', id]]));
				}
			}
			const parts = requested.map(({partNumber}) => upload.parts.get(partNumber)!);
			for (let i = 0; i < parts.length - 1; i++) {
				if (parts[i]!.body.length < MIN_PART_BYTES) {
					return fail(ossError('EntityTooSmall', undefined, [
						['MinSizeAllowed', String(MIN_PART_BYTES)],
						['ProposedSize', String(parts[i]!.body.length)],
						['PartNumber', String(requested[i]!.partNumber)],
					]));
				}
			}
			const size = parts.reduce((sum, part) => sum + part.body.length, 0);
			if (size > maxObjectBytes) return fail(ossError('EntityTooLarge'));
			const data = Buffer.concat(parts.map(part => part.body), size);
			const etagDigest = md5(Buffer.concat(parts.map(part => Buffer.from(bareEtag(part.etag), 'hex'))));
			// The object's CRC from the parts' CRCs, as OSS does (each part was hashed when it arrived); hashing every byte
			// again would double the emulator's CPU time per multipart upload.
			let combined = 0n;
			for (const part of parts) combined = crc64Combine(combined, BigInt(part.crc64), part.body.length);
			const checksum = combined.toString();
			const object: StoredObject = {
				body: data,
				etag: `"${etagDigest.toString('hex').toUpperCase()}-${parts.length}"`,
				crc64: checksum,
				lastModified: now(),
				type: 'Multipart',
			};
			if (upload.contentType) object.contentType = upload.contentType;
			store.put(bucket, key, object);
			store.dropUpload(id);
			const location = `http://${host}/${key.split('/').map(encodeURIComponent).join('/')}`;
			return xml(
				'CompleteMultipartUploadResult',
				[['Location', location], ['Bucket', bucket], ['Key', key], ['ETag', object.etag]],
				{ETag: object.etag, 'x-oss-hash-crc64ecma': object.crc64},
			);
		}

		function listParts(id: string) {
			const upload = store.upload(id, bucket, key);
			if (!upload) return fail(ossError('NoSuchUpload', undefined, [['UploadId', id]]));
			const maxText = params.get('max-parts') ?? '1000';
			const markerText = params.get('part-number-marker') ?? '0';
			if (!/^\d+$/.test(maxText) || Number(maxText) < 1 || Number(maxText) > 1000) {
				return fail(ossError('InvalidArgument', 'max-parts must be an integer between 1 and 1000.', [['ArgumentName', 'max-parts'], ['ArgumentValue', maxText]]));
			}
			if (!/^\d+$/.test(markerText)) {
				return fail(ossError('InvalidArgument', 'part-number-marker must be a non-negative integer.', [['ArgumentName', 'part-number-marker'], ['ArgumentValue', markerText]]));
			}
			const maxParts = Number(maxText);
			const after = [...upload.parts.entries()].filter(([n]) => n > Number(markerText)).sort(([a], [b]) => a - b);
			const page = after.slice(0, maxParts);
			const truncated = after.length > maxParts;
			const children: Array<readonly [string, string | XmlChildren]> = [
				['Bucket', bucket],
				['Key', key],
				['UploadId', id],
				['StorageClass', 'Standard'],
				['PartNumberMarker', markerText],
				['NextPartNumberMarker', String(page.length > 0 ? page[page.length - 1]![0] : 0)],
				['MaxParts', String(maxParts)],
				['IsTruncated', String(truncated)],
				...page.map(([partNumber, part]) => ['Part', [
					['PartNumber', String(partNumber)],
					['LastModified', new Date(part.lastModified).toISOString()],
					['ETag', part.etag],
					['HashCrc64ecma', part.crc64],
					['Size', String(part.body.length)],
				]] as const),
			];
			return xml('ListPartsResult', children);
		}

		function abort(id: string) {
			if (!store.upload(id, bucket, key)) return fail(ossError('NoSuchUpload', undefined, [['UploadId', id]]));
			store.dropUpload(id);
			return send(204, {});
		}

		async function postObject() {
			const body = await readBody(Math.min(maxObjectBytes, MAX_POST_BYTES) + 1024 * 1024);
			if (body.kind === 'aborted') return fail(ossError('IncompleteBody'));
			if (body.kind === 'too-large') return fail(ossError('EntityTooLarge'));
			const form = parseForm(body.data, formBoundary(req.headers['content-type'])!);
			if (!form) return fail(ossError('InvalidArgument', 'The body of your POST request is not well-formed multipart/form-data.'));
			const accepted = authorizePostObject({form, bucket, region, sts, now: now(), maxSkewMs});
			if (isOssFailure(accepted)) return fail(accepted);
			entry.key = accepted.key;
			if (Buffer.byteLength(accepted.key) > 1023 || accepted.key.startsWith('/') || accepted.key.startsWith('\\')) {
				return fail(ossError('InvalidObjectName', undefined, [['ObjectName', accepted.key]]));
			}
			const scope = checkScope(accepted.credentials, bucket, accepted.key, region, store.bucketRegion(bucket, region));
			if (scope) return fail(scope);
			const data = Buffer.from(accepted.file.data);
			const object: StoredObject = {body: data, etag: `"${md5(data).toString('hex').toUpperCase()}"`, crc64: crc64(data), lastModified: now(), type: 'Normal'};
			if (accepted.contentType) object.contentType = accepted.contentType;
			store.put(bucket, accepted.key, object);
			const headers = {ETag: object.etag, 'x-oss-hash-crc64ecma': object.crc64};
			if (accepted.successStatus !== 201) return send(accepted.successStatus, headers);
			const location = `http://${host}/${accepted.key.split('/').map(encodeURIComponent).join('/')}`;
			return send(201, {...headers, 'Content-Type': 'application/xml'}, xmlDocument('PostResponse', [
				['Bucket', bucket],
				['Location', location],
				['Key', accepted.key],
				['ETag', object.etag],
			]));
		}
	}

	return {
		handle(req, res) {
			const entry: OssLogEntry = {
				at: now(),
				method: (req.method ?? 'GET').toUpperCase(),
				bucket: '',
				key: '',
				query: {},
				status: 0,
				bytes: 0,
				requestId: randomBytes(12).toString('hex').toUpperCase(),
			};
			log.push(entry);
			serve(req, res, entry).catch(() => {
				entry.status = 500;
				entry.code = 'InternalError';
				if (!res.headersSent && !res.destroyed) res.writeHead(500, {'x-oss-request-id': entry.requestId}).end();
				else res.destroy();
			});
		},
		matchesHost: host => host !== undefined && HOST_PATTERN.test(host.toLowerCase()),
		get log() {
			return log;
		},
		clearLog() {
			log = [];
		},
		inject: fault => faults.inject(fault),
		clearFaults: () => faults.clear(),
		getObject(bucket, key) {
			const object = store.get(bucket, key);
			if (!object) return undefined;
			const snapshot: OssObjectSnapshot = {body: object.body, etag: object.etag, crc64: object.crc64};
			if (object.contentType) snapshot.contentType = object.contentType;
			return snapshot;
		},
		listObjects: bucket => store.keys(bucket),
	};
}

/** `[start, end]` (inclusive) of a single `bytes=` range, `'unsatisfiable'`, or `undefined` to send everything (as OSS ignores malformed ranges). */
function parseRange(header: string | undefined, size: number): readonly [number, number] | 'unsatisfiable' | undefined {
	if (!header) return undefined;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return undefined;
	if (match[1] === '') {
		const suffix = Number(match[2]);
		if (suffix === 0) return 'unsatisfiable';
		return [Math.max(0, size - suffix), size - 1];
	}
	const start = Number(match[1]);
	const end = match[2] === '' ? size - 1 : Number(match[2]);
	if (match[2] !== '' && end < start) return undefined;
	if (start >= size) return 'unsatisfiable';
	return [start, Math.min(end, size - 1)];
}
