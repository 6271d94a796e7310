/**
Turning a `taobao.wdk.iot.wombat.common.gettoken` answer into {@link OssCredentials}.
@module
*/
import {TopError} from '../errors/top-error.js';
import {regionFromEndpoint} from '../oss/endpoint.js';
import type {OssCredentials} from '../oss/types.js';
import {isObject, stringOr} from '../top/response.js';
import {proxyError} from './answer.js';
import {topTimeToEpoch} from '../top/time.js';

/**
Maps the success object of gettoken to credentials. `result.success === false` (which TOP sends with HTTP 200) is
a {@link TopError} with `code` 0 and the business `msg_code`/`msg_info` as `subCode`/`msg`.
`clockOffsetMs` (server − client) turns the UTC+8 `expiration_time` into the client's clock.
*/
export function credentialsFromAnswer(answer: Record<string, unknown>, clockOffsetMs: number): OssCredentials {
	const result = answer['result'];
	const model = isObject(result) && result['model'];
	if (isObject(result) && result['success'] === false) {
		throw new TopError({code: 0, subCode: stringOr(result['msg_code']) ?? 'UNKNOWN', msg: stringOr(result['msg_info']) ?? 'gettoken failed', requestId: stringOr(answer['request_id']), status: 200});
	}
	const missing = (name: string): never => {
		throw proxyError(`The proxy answered no usable \`result.model.${name}\``, 200);
	};
	const field = (name: string): string => (isObject(model) && stringOr(model[name])) || missing(name);
	const endpoint = field('endpoint');
	const expiresAt = topTimeToEpoch(field('expiration_time')) ?? missing('expiration_time');
	const region = (isObject(model) && stringOr(model['region'])) || regionFromEndpoint(endpoint) || missing('region');
	return {
		accessKeyId: field('access_key_id'),
		accessKeySecret: field('access_key_secret'),
		securityToken: field('security_token'),
		bucket: field('bucket'),
		endpoint,
		region,
		dir: (isObject(model) && stringOr(model['dir'])) || '',
		expiresAt: expiresAt - clockOffsetMs,
	};
}
