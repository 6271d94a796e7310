import {TopsecError, guard} from './topsec-error.js';

/**
The topsec proxy refused a call itself (bad input, origin, grant, limits) or could not reach TOP.
`subCode` is one of the proxy's own `topsec.*` codes, e.g. `topsec.grant-invalid`, `topsec.param-type`.
*/
export class ProxyError extends TopsecError {
	override name = 'ProxyError';
	/** HTTP status of the proxy's answer (`0` when the proxy could not be reached at all). */
	declare readonly status: number;
	/** The proxy's `sub_code` (`topsec.*`), or `topsec.network` / `topsec.timeout` / `topsec.bad-response` raised by the client. */
	declare readonly subCode: string;
	/** The proxy's `request_id`, when it gave one. */
	declare readonly requestId: string | undefined;
	/** Seconds to wait before retrying, from `Retry-After`, when given. */
	declare readonly retryAfterSeconds: number | undefined;

	constructor(message: string, fields: {status: number; subCode: string; requestId?: string | undefined; retryAfterSeconds?: number | undefined}, options?: {cause?: unknown}) {
		super(`${message} (${fields.subCode}, HTTP ${fields.status})`, options);
		Object.assign(this, fields);
	}
}

/** Whether `error` is a {@link ProxyError} (also across realms). */
export const isProxyError = /* @__PURE__ */ guard(ProxyError, 'ProxyError');
