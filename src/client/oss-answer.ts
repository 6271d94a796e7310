/**
Turning a `taobao.wdk.iot.wombat.common.gettoken` answer into {@link OssCredentials}.
@module
*/
import {ProxyError} from '../errors/proxy-error.js';
import {TopError} from '../errors/top-error.js';
import {regionFromEndpoint} from '../oss/endpoint.js';
import type {OssCredentials} from '../oss/types.js';
import {parseTopTime} from '../top/time.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const bad = (message: string) => new ProxyError(message, {status: 200, subCode: 'topsec.bad-response'});

/**
Maps the success object of gettoken to credentials. `result.success === false` (which TOP sends with HTTP 200) is
a {@link TopError} with `code` 0 and the business `msg_code`/`msg_info` as `subCode`/`msg`.
`clockOffsetMs` (server − client) turns the UTC+8 `expiration_time` into the client's clock.
*/
export function credentialsFromAnswer(answer: Record<string, unknown>, clockOffsetMs: number): OssCredentials {
	const result = answer['result'];
	if (!isObject(result)) throw bad('The gettoken answer has no `result`');
	if (result['success'] !== true) {
		throw new TopError({
			code: 0,
			subCode: typeof result['msg_code'] === 'string' ? result['msg_code'] : 'UNKNOWN',
			msg: typeof result['msg_info'] === 'string' ? result['msg_info'] : 'gettoken failed',
			requestId: typeof answer['request_id'] === 'string' ? answer['request_id'] : undefined,
			status: 200,
		});
	}
	const model = result['model'];
	if (!isObject(model)) throw bad('The gettoken answer has no `result.model`');
	const text = (...names: string[]): string => {
		for (const name of names) if (typeof model[name] === 'string' && model[name]) return model[name] as string;
		throw bad(`The gettoken answer has no \`${names[0]}\``);
	};
	const endpoint = text('endpoint');
	const serverExpiry = parseTopTime(text('expiration_time', 'expiration'));
	if (serverExpiry === undefined) throw bad('The gettoken answer has an unreadable `expiration_time`');
	const region = (typeof model['region'] === 'string' && model['region']) || regionFromEndpoint(endpoint);
	if (!region) throw bad('The gettoken answer has no `region` and its endpoint names none');
	return {
		accessKeyId: text('access_key_id'),
		accessKeySecret: text('access_key_secret'),
		securityToken: text('security_token'),
		bucket: text('bucket', 'bucket_name'),
		endpoint,
		region,
		dir: typeof model['dir'] === 'string' ? model['dir'] : '',
		expiresAt: serverExpiry - clockOffsetMs,
	};
}
