// The part of ali-oss 6.x (Node build) that test/ali-oss-crosscheck.test.ts and test/emulator-oss.test.ts use, as
// lib/client.js and lib/common/signUtils.js behave. ali-oss ships no types, and @types/ali-oss disagrees with the code
// the tests exercise: it has `res.headers: object`, numeric `PartNumber` where the XML text comes through, every
// `listParts` query field required, and no `signPostObjectPolicyV4`.

declare module 'ali-oss' {
	import type {Agent, IncomingHttpHeaders} from 'node:http';

	namespace OSS {
		type Options = {
			accessKeyId: string;
			accessKeySecret: string;
			stsToken?: string;
			refreshSTSToken?: () => Promise<{accessKeyId: string; accessKeySecret: string; stsToken: string}>;
			refreshSTSTokenInterval?: number;
			region?: string;
			bucket?: string;
			endpoint?: string;
			cname?: boolean;
			secure?: boolean;
			authorizationV4?: boolean;
			agent?: Agent;
			timeout?: number | string;
		};
		/** urllib's response, as every call's `res`. */
		type Response = {status: number; headers: IncomingHttpHeaders; size: number; rt: number};
		/** What `multipartUpload` hands to `progress` and takes back as `checkpoint` to resume. */
		type Checkpoint = {file: unknown; name: string; fileSize: number; partSize: number; uploadId: string; doneParts: Array<{number: number; etag: string}>};
		type MultipartUploadOptions = {
			partSize?: number;
			parallel?: number;
			checkpoint?: Checkpoint;
			progress?: (fraction: number, checkpoint: Checkpoint, res?: Response) => unknown;
			headers?: Record<string, string>;
		};
		/** A part as ListParts' XML gives it: every field is text. */
		type ListedPart = {PartNumber: string; LastModified: string; ETag: string; Size: string};
		type ListPartsQuery = {'max-parts'?: number | string; 'part-number-marker'?: number | string; 'encoding-type'?: string};
		type ListPartsResult = {
			uploadId: string;
			bucket: string;
			name: string;
			partNumberMarker: string;
			nextPartNumberMarker: string;
			maxParts: string;
			/** `'true'` or `'false'`: the XML text, not a boolean. */
			isTruncated: string;
			parts: ListedPart[];
			res: Response;
		};
		/** A PostObject policy: `expiration` and `conditions`. */
		type PostPolicy = {expiration: string; conditions: unknown[]};
	}

	class OSS {
		constructor(options: OSS.Options);
		useBucket(name: string): void;
		put(name: string, file: Buffer | string, options?: {headers?: Record<string, string>}): Promise<{name: string; url: string; res: OSS.Response; data: unknown}>;
		head(name: string): Promise<{status: number; meta: Record<string, string> | null; res: OSS.Response}>;
		get(name: string): Promise<{content: Buffer; res: OSS.Response}>;
		multipartUpload(name: string, file: Buffer | string, options?: OSS.MultipartUploadOptions): Promise<{bucket: string; name: string; etag: string; data: unknown; res: OSS.Response}>;
		initMultipartUpload(name: string): Promise<{bucket: string; name: string; uploadId: string; res: OSS.Response}>;
		uploadPart(name: string, uploadId: string, partNo: number, file: Buffer | string, start: number, end: number): Promise<{name: string; etag: string; res: OSS.Response}>;
		listParts(name: string, uploadId: string, query?: OSS.ListPartsQuery): Promise<OSS.ListPartsResult>;
		completeMultipartUpload(name: string, uploadId: string, parts: Array<{number: number; etag: string}>): Promise<{bucket: string; name: string; etag: string; data: unknown; res: OSS.Response}>;
		abortMultipartUpload(name: string, uploadId: string): Promise<{res: OSS.Response}>;
		/** V1 PostObject fields for `policy`. */
		calculatePostSignature(policy: OSS.PostPolicy | string): {OSSAccessKeyId: string; Signature: string; policy: string};
		/** The V4 PostObject signature (`x-oss-signature`) of `policy`, signed for `date`. */
		signPostObjectPolicyV4(policy: OSS.PostPolicy | string, date: Date): string;
	}

	export = OSS;
}

declare module 'ali-oss/lib/common/signUtils.js' {
	/** The V1 string to sign: method, Content-MD5, Content-Type, date, `x-oss-*` headers, canonical resource. */
	export function buildCanonicalString(method: string, resourcePath: string, request?: {headers?: Record<string, string>; parameters?: Record<string, string | null>}, expires?: string): string;
	/** `OSS <accessKeyId>:<signature>` for a V1 string to sign. */
	export function authorization(accessKeyId: string, accessKeySecret: string, canonicalString: string, headerEncoding?: string): string;
	/** The V4 `Authorization` header value (`OSS4-HMAC-SHA256 Credential=…`). */
	export function authorizationV4(
		accessKeyId: string,
		accessKeySecret: string,
		region: string,
		method: string,
		request: {headers: Record<string, string>; queries?: Record<string, string | null>},
		bucketName?: string,
		objectName?: string,
		additionalHeaders?: string[],
		headerEncoding?: string,
		cloudBoxId?: string,
	): string;
}
