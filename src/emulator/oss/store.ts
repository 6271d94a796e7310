/**
In-memory buckets, objects and multipart uploads. Buckets come into being on first use and remember the region
they were first addressed in.
@module
*/
import {randomBytes} from 'node:crypto';

/** An object as stored. */
export type StoredObject = {
	body: Buffer;
	/** As the `ETag` header carries it, quotes included: `"<MD5 HEX>"` or `"<HEX>-<parts>"`. */
	etag: string;
	contentType?: string;
	/** CRC-64/XZ, decimal. */
	crc64: string;
	/** Epoch ms. */
	lastModified: number;
	type: 'Normal' | 'Multipart';
};

/** One uploaded part. */
export type StoredPart = {body: Buffer; etag: string; crc64: string; lastModified: number};

/** A multipart upload in progress. */
export type MultipartUpload = {
	uploadId: string;
	bucket: string;
	key: string;
	contentType?: string;
	initiated: number;
	parts: Map<number, StoredPart>;
};

/** The emulator's state. */
export type OssStore = {
	/** Region of `bucket`, recording `region` when the bucket is new. */
	bucketRegion(bucket: string, region: string): string;
	get(bucket: string, key: string): StoredObject | undefined;
	put(bucket: string, key: string, object: StoredObject): void;
	delete(bucket: string, key: string): void;
	keys(bucket: string): string[];
	createUpload(bucket: string, key: string, contentType: string | undefined, now: number): MultipartUpload;
	/** The upload, only when it belongs to `bucket`/`key`. */
	upload(uploadId: string, bucket: string, key: string): MultipartUpload | undefined;
	dropUpload(uploadId: string): void;
};

/** Creates an empty {@link OssStore}. */
export function createStore(): OssStore {
	const regions = new Map<string, string>();
	const buckets = new Map<string, Map<string, StoredObject>>();
	const uploads = new Map<string, MultipartUpload>();
	const bucket = (name: string) => {
		let objects = buckets.get(name);
		if (!objects) buckets.set(name, (objects = new Map()));
		return objects;
	};
	return {
		bucketRegion(name, region) {
			const known = regions.get(name);
			if (known) return known;
			regions.set(name, region);
			return region;
		},
		get: (name, key) => buckets.get(name)?.get(key),
		put: (name, key, object) => void bucket(name).set(key, object),
		delete: (name, key) => void buckets.get(name)?.delete(key),
		keys: name => [...(buckets.get(name)?.keys() ?? [])].sort(),
		createUpload(name, key, contentType, now) {
			const uploadId = randomBytes(16).toString('hex').toUpperCase();
			const upload: MultipartUpload = {uploadId, bucket: name, key, initiated: now, parts: new Map()};
			if (contentType) upload.contentType = contentType;
			uploads.set(uploadId, upload);
			return upload;
		},
		upload(uploadId, name, key) {
			const upload = uploads.get(uploadId);
			return upload && upload.bucket === name && upload.key === key ? upload : undefined;
		},
		dropUpload: uploadId => void uploads.delete(uploadId),
	};
}
