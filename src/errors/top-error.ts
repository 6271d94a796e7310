import {TopsecError} from './topsec-error.js';

/** The fields of a TOP `error_response`. */
export type TopErrorFields = {
	/** TOP's top-level error code, e.g. `25` (invalid signature), `7` (call limited). */
	code: number;
	/** Detail code, e.g. `isp.remote-service-timeout` or `isv.invalid-parameter`. */
	subCode?: string | undefined;
	/** TOP's message. */
	msg: string;
	/** TOP's `sub_msg`. */
	subMsg?: string | undefined;
	/** TOP's `request_id`, quote it when asking Alibaba for help. */
	requestId?: string | undefined;
	/** HTTP status the answer came with. */
	status?: number | undefined;
};

/**
An error answered by the TOP gateway (`error_response`), or a business failure inside a successful answer
(`result.success = false`, then `code` is `0` and `subCode` carries `msg_code`).
*/
export class TopError extends TopsecError {
	override name = 'TopError';
	/** TOP's top-level error code. */
	readonly code: number;
	/** TOP's `sub_code` (or a business `msg_code`). */
	readonly subCode: string | undefined;
	/** TOP's `msg` (or a business `msg_info`). */
	readonly msg: string;
	/** TOP's `sub_msg`. */
	readonly subMsg: string | undefined;
	/** TOP's `request_id`. */
	readonly requestId: string | undefined;
	/** HTTP status of the answer. */
	readonly status: number | undefined;

	constructor(fields: TopErrorFields, options?: {cause?: unknown}) {
		const sub = fields.subCode ? ` (${fields.subCode}${fields.subMsg ? `: ${fields.subMsg}` : ''})` : '';
		const id = fields.requestId ? ` [request ${fields.requestId}]` : '';
		super(`TOP error ${fields.code}: ${fields.msg}${sub}${id}`, options);
		this.code = fields.code;
		this.subCode = fields.subCode;
		this.msg = fields.msg;
		this.subMsg = fields.subMsg;
		this.requestId = fields.requestId;
		this.status = fields.status;
	}
}

/** Whether `error` is a {@link TopError} (also across realms). */
export function isTopError(error: unknown): error is TopError {
	return error instanceof TopError || (error as {name?: unknown} | null)?.name === 'TopError';
}
