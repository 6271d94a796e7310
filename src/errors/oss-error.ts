import {TopsecError} from './topsec-error.js';

/** An error answered by OSS (`<Error><Code>…`), or a transfer that failed on the way to OSS. */
export class OssError extends TopsecError {
	override name = 'OssError';
	/** OSS error code, e.g. `SignatureDoesNotMatch`, `SecurityTokenExpired`, `NoSuchUpload`; `NetworkError` when no answer came. */
	readonly code: string;
	/** OSS `EC` detail code. */
	readonly ec: string | undefined;
	/** OSS `x-oss-request-id`. */
	readonly requestId: string | undefined;
	/** HTTP status (`0` when no answer came). */
	readonly status: number;

	constructor(fields: {code: string; message: string; ec?: string | undefined; requestId?: string | undefined; status: number}, options?: {cause?: unknown}) {
		const id = fields.requestId ? ` [request ${fields.requestId}]` : '';
		super(`OSS error ${fields.code} (HTTP ${fields.status}): ${fields.message}${id}`, options);
		this.code = fields.code;
		this.ec = fields.ec;
		this.requestId = fields.requestId;
		this.status = fields.status;
	}
}

/** Whether `error` is an {@link OssError} (also across realms). */
export function isOssError(error: unknown): error is OssError {
	return error instanceof OssError || (error as {name?: unknown} | null)?.name === 'OssError';
}
