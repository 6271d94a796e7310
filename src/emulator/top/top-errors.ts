/**
The gateway's own `error_response` codes and messages, as the real TOP gateway words them.
@module
*/

/** An `error_response` body before its `request_id` is added. */
export type GatewayError = {code: number; msg: string; sub_code?: string; sub_msg?: string};

/** TOP's system error codes the emulator answers, with TOP's messages. */
export const TOP_ERROR_MESSAGES: Readonly<Record<number, string>> = {
	15: 'Remote service error',
	21: 'Missing method',
	22: 'Invalid method',
	23: 'Invalid format',
	24: 'Missing signature',
	25: 'Invalid signature',
	28: 'Missing app key',
	29: 'Invalid app Key',
	30: 'Missing timestamp',
	31: 'Invalid timestamp',
	32: 'Missing version',
	33: 'Invalid version',
	34: 'Unsupported version',
	40: 'Missing required arguments',
	41: 'Invalid arguments',
	47: 'Invalid encoding',
};

/** The error with `code`, TOP's message, and optional detail. */
export function gatewayError(code: number, subCode?: string, subMsg?: string): GatewayError {
	const error: GatewayError = {code, msg: TOP_ERROR_MESSAGES[code] ?? 'Unknown error'};
	if (subCode !== undefined) error.sub_code = subCode;
	if (subMsg !== undefined) error.sub_msg = subMsg;
	return error;
}

/** Code 40 for a missing business param: `Missing required arguments:<param>`. */
export const missingArguments = (param: string, detail: string): GatewayError => ({
	code: 40,
	msg: `Missing required arguments:${param}`,
	sub_code: `isv.missing-parameter:${param}`,
	sub_msg: detail,
});

/** Code 41 for a business param that does not fit: `Invalid arguments:<param>`. */
export const invalidArguments = (param: string, detail: string): GatewayError => ({
	code: 41,
	msg: `Invalid arguments:${param}`,
	sub_code: `isv.invalid-parameter:${param}`,
	sub_msg: detail,
});
