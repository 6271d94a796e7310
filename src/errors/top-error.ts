import {TopsecError, guard} from './topsec-error.js';

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
	declare readonly code: number;
	/** TOP's `sub_code` (or a business `msg_code`). */
	declare readonly subCode: string | undefined;
	/** TOP's `msg` (or a business `msg_info`). */
	declare readonly msg: string;
	/** TOP's `sub_msg`. */
	declare readonly subMsg: string | undefined;
	/** TOP's `request_id`. */
	declare readonly requestId: string | undefined;
	/** HTTP status of the answer. */
	declare readonly status: number | undefined;

	constructor(fields: TopErrorFields, options?: {cause?: unknown}) {
		const {code, msg, subCode, subMsg, requestId} = fields;
		super(`TOP error ${code}: ${msg}${subCode ? ` (${subCode}${subMsg ? `: ${subMsg}` : ''})` : ''}${requestId ? ` [request ${requestId}]` : ''}`, options);
		Object.assign(this, fields);
	}
}

/** Whether `error` is a {@link TopError} (also across realms). */
export const isTopError = /* @__PURE__ */ guard(TopError, 'TopError');
