import {TopsecError, guard} from './topsec-error.js';

/** An error answered by OSS (`<Error><Code>…`), or a transfer that failed on the way to OSS. */
export class OssError extends TopsecError {
	override name = 'OssError';
	/** OSS error code, e.g. `SignatureDoesNotMatch`, `SecurityTokenExpired`, `NoSuchUpload`; `NetworkError` when no answer came. */
	declare readonly code: string;
	/** OSS `EC` detail code. */
	declare readonly ec: string | undefined;
	/** OSS `x-oss-request-id`. */
	declare readonly requestId: string | undefined;
	/** HTTP status (`0` when no answer came). */
	declare readonly status: number;

	constructor(fields: {code: string; message: string; ec?: string | undefined; requestId?: string | undefined; status: number}, options?: {cause?: unknown}) {
		const {code, message, requestId, status} = fields;
		super(`OSS error ${code} (HTTP ${status}): ${message}${requestId ? ` [request ${requestId}]` : ''}`, options);
		Object.assign(this, {code, ec: fields.ec, requestId, status});
	}
}

/** Whether `error` is an {@link OssError} (also across realms). */
export const isOssError = /* @__PURE__ */ guard(OssError, 'OssError');
