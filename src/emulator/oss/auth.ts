/**
Header authentication for the OSS emulator: picks V4 or V1 from the Authorization header, checks the clock, the STS
credentials and the signature, then what the credentials may touch.
@module
*/
import type {StsCredentials, StsIssuer} from '../sts.js';
import {parseAuthorizationV1, signatureV1, stringToSignV1} from './auth-v1.js';
import {
	canonicalRequestV4,
	parseAuthorizationV4,
	parseIsoBasic,
	scopeV4,
	signatureV4,
	signingKeyV4,
	stringToSignV4,
	type SignedRequestParts,
} from './auth-v4.js';
import {hexBytes, ossError, type OssFailure} from './errors.js';

/** What {@link authenticate} needs besides the request. */
export type AuthEnvironment = {sts: StsIssuer; now: number; maxSkewMs: number; region: string};

/** Successful authentication. */
export type Authenticated = {credentials: StsCredentials; version: 'v1' | 'v4'};

const headerOf = (request: SignedRequestParts, name: string) => {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(',') : value;
};

/** `RequestTimeTooSkewed` with the elements OSS adds. */
export function skewError(requestTime: string, now: number, maxSkewMs: number): OssFailure {
	return ossError('RequestTimeTooSkewed', undefined, [
		['RequestTime', requestTime],
		['ServerTime', new Date(now).toISOString()],
		['MaxAllowedSkewMilliseconds', String(maxSkewMs)],
	]);
}

/** Maps a refusal from the STS issuer to the OSS failure. */
export function verifySts(sts: StsIssuer, accessKeyId: string, securityToken: string | undefined): StsCredentials | OssFailure {
	const verdict = sts.verify(accessKeyId, securityToken);
	if (verdict.ok) return verdict.credentials;
	const failure = ossError(verdict.code);
	if (verdict.code === 'InvalidAccessKeyId') failure.extra.push(['OSSAccessKeyId', accessKeyId]);
	return failure;
}

const parseHttpDate = (text: string): number | undefined => {
	const iso = parseIsoBasic(text);
	if (iso !== undefined) return iso;
	if (!/GMT$/.test(text.trim())) return undefined;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? undefined : ms;
};

const mismatch = (accessKeyId: string, provided: string, stringToSign: string, canonicalRequest?: string): OssFailure => {
	const extra: Array<readonly [string, string]> = [
		['OSSAccessKeyId', accessKeyId],
		['SignatureProvided', provided],
		['StringToSign', stringToSign],
		['StringToSignBytes', hexBytes(stringToSign)],
	];
	if (canonicalRequest !== undefined) {
		extra.push(['CanonicalRequest', canonicalRequest], ['CanonicalRequestBytes', hexBytes(canonicalRequest)]);
	}
	return ossError('SignatureDoesNotMatch', undefined, extra);
};

/** Authenticates a header-signed request. */
export function authenticate(request: SignedRequestParts, env: AuthEnvironment): Authenticated | OssFailure {
	const authorization = headerOf(request, 'authorization');
	if (!authorization) {
		if (request.query.some(([name]) => name === 'OSSAccessKeyId' || name === 'x-oss-signature' || name === 'x-oss-credential')) {
			return ossError('NotImplemented', 'Signatures in the URL (presigned URLs) are not supported by this emulator.');
		}
		return ossError('AccessDenied', 'You have no right to access this object because of bucket acl. (anonymous access)');
	}
	if (authorization.startsWith('OSS4-HMAC-SHA256')) return authenticateV4(request, authorization, env);
	if (authorization.startsWith('OSS ')) return authenticateV1(request, authorization, env);
	return ossError('InvalidArgument', 'Authorization header is invalid.');
}

function authenticateV4(request: SignedRequestParts, authorization: string, env: AuthEnvironment): Authenticated | OssFailure {
	const auth = parseAuthorizationV4(authorization);
	if (!auth) return ossError('InvalidArgument', 'Authorization header is invalid.');
	const dateTime = headerOf(request, 'x-oss-date');
	const at = dateTime === undefined ? undefined : parseIsoBasic(dateTime);
	if (dateTime === undefined || at === undefined) {
		return ossError('AccessDenied', 'OSS authentication requires a valid x-oss-date header (yyyymmddTHHMMSSZ) for signature version 4.');
	}
	if (auth.product !== 'oss') return ossError('InvalidArgument', 'Invalid signing product in Authorization header.');
	if (auth.date !== dateTime.slice(0, 8)) return ossError('InvalidArgument', 'Invalid signing date in Authorization header.');
	if (auth.region !== env.region) return ossError('InvalidArgument', `Invalid signing region in Authorization header: expected ${env.region}.`);
	const payload = headerOf(request, 'x-oss-content-sha256');
	if (payload !== 'UNSIGNED-PAYLOAD') {
		return ossError('InvalidArgument', 'The x-oss-content-sha256 header must be UNSIGNED-PAYLOAD.');
	}
	if (Math.abs(env.now - at) > env.maxSkewMs) return skewError(dateTime, env.now, env.maxSkewMs);
	const credentials = verifySts(env.sts, auth.accessKeyId, headerOf(request, 'x-oss-security-token'));
	if (!('accessKeySecret' in credentials)) return credentials;
	let canonicalRequest: string;
	try {
		canonicalRequest = canonicalRequestV4(request, auth.additionalHeaders);
	} catch (error) {
		if (error instanceof RangeError) return ossError('InvalidArgument', `Additional header ${error.message} is not in the request.`);
		throw error;
	}
	const stringToSign = stringToSignV4(dateTime, scopeV4(auth.date, auth.region, auth.product), canonicalRequest);
	const expected = signatureV4(signingKeyV4(credentials.accessKeySecret, auth.date, auth.region, auth.product), stringToSign);
	if (auth.signature.toLowerCase() !== expected) return mismatch(auth.accessKeyId, auth.signature, stringToSign, canonicalRequest);
	return {credentials, version: 'v4'};
}

function authenticateV1(request: SignedRequestParts, authorization: string, env: AuthEnvironment): Authenticated | OssFailure {
	const auth = parseAuthorizationV1(authorization);
	if (!auth) return ossError('InvalidArgument', 'Authorization header is invalid.');
	const ossDate = headerOf(request, 'x-oss-date');
	const httpDate = headerOf(request, 'date');
	const dateText = ossDate ?? httpDate;
	const at = dateText === undefined ? undefined : parseHttpDate(dateText);
	if (dateText === undefined || at === undefined) return ossError('AccessDenied', 'OSS authentication requires a valid Date.');
	if (Math.abs(env.now - at) > env.maxSkewMs) return skewError(dateText, env.now, env.maxSkewMs);
	const credentials = verifySts(env.sts, auth.accessKeyId, headerOf(request, 'x-oss-security-token'));
	if (!('accessKeySecret' in credentials)) return credentials;
	// The Date slot holds whichever date header the client signed: ali-oss puts x-oss-date there.
	const candidates = [...new Set([ossDate, httpDate].filter((d): d is string => d !== undefined))];
	for (const date of candidates) {
		if (signatureV1(credentials.accessKeySecret, stringToSignV1(request, date)) === auth.signature) return {credentials, version: 'v1'};
	}
	return mismatch(auth.accessKeyId, auth.signature, stringToSignV1(request, candidates[0]!));
}

/**
What STS credentials may touch: their bucket, keys under their `dir`, in their region. `key` is `undefined` for
bucket-level requests. `bucketRegion` is the region the bucket lives in.
*/
export function checkScope(
	credentials: StsCredentials,
	bucket: string,
	key: string | undefined,
	hostRegion: string,
	bucketRegion: string,
): OssFailure | undefined {
	if (bucketRegion !== hostRegion || credentials.region !== hostRegion) {
		const endpoint = `oss-${bucketRegion !== hostRegion ? bucketRegion : credentials.region}.localhost`;
		return ossError(
			'AccessDenied',
			'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
			[['Bucket', bucket], ['Endpoint', endpoint]],
		);
	}
	if (credentials.bucket !== bucket) {
		return ossError('AccessDenied', 'You are not authorized to do this action. You should be authorized by RAM. (STS credentials are for another bucket)');
	}
	if (key !== undefined && !key.startsWith(credentials.dir)) {
		return ossError('AccessDenied', `You are not authorized to do this action. You should be authorized by RAM. (key outside ${credentials.dir})`);
	}
	return undefined;
}
