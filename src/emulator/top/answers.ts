/**
The success objects of the two seed APIs, as docs/PROTOCOL.md shows them (without `request_id`, added on sending).
@module
*/
import {randomBytes} from 'node:crypto';
import {formatTopTime} from '../../top/time.js';
import type {StsIssuer} from '../sts.js';

/** Random request id in TOP's style: 13 lower-case letters and digits. */
export function newRequestId(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (const byte of randomBytes(13)) id += alphabet[byte % alphabet.length];
	return id;
}

/** `top_sec_token_get_response` content: a random opaque 40-char token and its lifetime in seconds. */
export function secTokenAnswer(expireTimeSeconds: number): Record<string, unknown> {
	return {sec_token: randomBytes(30).toString('base64url'), expire_time: expireTimeSeconds};
}

/** The normalized `oss` options gettoken needs. */
export type OssAnswerConfig = {
	sts: StsIssuer;
	ttlMs: number;
	bucket: string;
	region: string;
	endpoint: () => string;
	dir: (params: Record<string, string>) => string;
};

/** The default `dir`: `uploads/<merchant_code>/`, the code reduced to `[A-Za-z0-9_-]`. */
export function defaultOssDir(params: Record<string, string>): string {
	const merchant = (params['merchant_code'] || 'default').replace(/[^A-Za-z0-9_-]/g, '_');
	return `uploads/${merchant}/`;
}

/** `wdk_iot_wombat_common_gettoken_response` content: fresh STS credentials scoped to the bucket and dir. */
export function ossTokenAnswer(config: OssAnswerConfig, params: Record<string, string>): Record<string, unknown> {
	const credentials = config.sts.mint({bucket: config.bucket, dir: config.dir(params), region: config.region}, config.ttlMs);
	return {
		result: {
			success: true,
			msg_code: 'SUCCESS',
			msg_info: 'ok',
			model: {
				access_key_id: credentials.accessKeyId,
				access_key_secret: credentials.accessKeySecret,
				security_token: credentials.securityToken,
				expiration_time: formatTopTime(credentials.expiresAt),
				bucket: credentials.bucket,
				endpoint: config.endpoint(),
				region: credentials.region,
				dir: credentials.dir,
			},
		},
	};
}

/** A gettoken-style business failure: HTTP 200 with `result.success = false`. */
export const businessFailureAnswer = (msgCode: string, msgInfo: string): Record<string, unknown> => ({
	result: {success: false, msg_code: msgCode, msg_info: msgInfo},
});
