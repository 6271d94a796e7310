import {TopsecError} from './topsec-error.js';

/**
The topsec proxy refused a call itself (bad input, origin, grant, limits) or could not reach TOP.
`subCode` is one of the proxy's own `topsec.*` codes, e.g. `topsec.grant-invalid`, `topsec.param-type`.
*/
export class ProxyError extends TopsecError {
	override name = 'ProxyError';
	/** HTTP status of the proxy's answer (`0` when the proxy could not be reached at all). */
	readonly status: number;
	/** The proxy's `sub_code` (`topsec.*`), or `topsec.network` / `topsec.bad-response` raised by the client. */
	readonly subCode: string;
	/** The proxy's `request_id`, when it gave one. */
	readonly requestId: string | undefined;
	/** Seconds to wait before retrying, from `Retry-After`, when given. */
	readonly retryAfterSeconds: number | undefined;

	constructor(message: string, fields: {status: number; subCode: string; requestId?: string | undefined; retryAfterSeconds?: number | undefined}, options?: {cause?: unknown}) {
		super(`${message} (${fields.subCode}, HTTP ${fields.status})`, options);
		this.status = fields.status;
		this.subCode = fields.subCode;
		this.requestId = fields.requestId;
		this.retryAfterSeconds = fields.retryAfterSeconds;
	}
}

/** Whether `error` is a {@link ProxyError} (also across realms). */
export function isProxyError(error: unknown): error is ProxyError {
	return error instanceof ProxyError || (error as {name?: unknown} | null)?.name === 'ProxyError';
}
