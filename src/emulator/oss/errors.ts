/**
OSS error answers: the codes this emulator raises, with the status, message and EC (error-centre code) real OSS uses
for them as far as its documentation shows. EC values the docs do not show are emulator approximations.
@module
*/

/** One refusal, rendered as OSS's `<Error>` document. */
export type OssFailure = {
	status: number;
	code: string;
	message: string;
	ec: string;
	/** Extra elements after `<HostId>` (e.g. `StringToSign`, `ServerTime`), in order. */
	extra: Array<readonly [string, string]>;
	/** Extra response headers. */
	headers?: Record<string, string>;
};

const CATALOG: Record<string, readonly [status: number, message: string, ec: string]> = {
	AccessDenied: [403, 'You have no right to access this object because of bucket acl.', '0003-00000001'],
	AccessForbidden: [403, 'CORSResponse: This CORS request is not allowed.', '0003-00000002'],
	BadDigest: [400, 'The Content-MD5 you specified did not match what we received.', '0016-00000402'],
	EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size.', '0016-00000414'],
	EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed size.', '0042-00000312'],
	FileAlreadyExists: [409, 'The object you specified already exists and can not be overwritten.', '0016-00000708'],
	IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.', '0016-00000403'],
	InternalError: [500, 'We encountered an internal error. Please try again.', '0005-00000001'],
	InvalidAccessKeyId: [403, 'The OSS Access Key Id you provided does not exist in our records.', '0002-00000902'],
	InvalidArgument: [400, 'Invalid argument.', '0016-00000101'],
	InvalidBucketName: [400, 'The specified bucket is not valid.', '0015-00000101'],
	InvalidDigest: [400, 'The Content-MD5 you specified is not valid.', '0016-00000401'],
	InvalidObjectName: [400, 'The specified object is not valid.', '0016-00000001'],
	InvalidPart: [400, 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.', '0042-00000304'],
	InvalidPartOrder: [400, 'The list of parts was not in ascending order. Parts list must specified in order by part number.', '0042-00000305'],
	InvalidPolicyDocument: [400, 'Invalid Policy: Invalid JSON.', '0006-00000013'],
	InvalidRange: [416, 'The requested range cannot be satisfied', '0016-00000801'],
	InvalidSecurityToken: [403, 'The security token you provided is invalid.', '0002-00000903'],
	InvalidURI: [400, 'The URI you specified is not valid.', '0016-00000102'],
	MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema.', '0042-00000301'],
	MethodNotAllowed: [405, 'The specified method is not allowed against this resource.', '0016-00000104'],
	MissingContentLength: [411, 'You must provide the Content-Length HTTP header.', '0016-00000103'],
	NoSuchKey: [404, 'The specified key does not exist.', '0026-00000001'],
	NoSuchUpload: [404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', '0042-00000002'],
	NotImplemented: [501, 'A header you provided implies functionality that is not implemented.', '0016-00000105'],
	RequestTimeTooSkewed: [403, 'The difference between the request time and the current time is too large.', '0002-00000504'],
	SecurityTokenExpired: [403, 'The security token you provided has expired.', '0002-00000904'],
	ServiceUnavailable: [503, 'Please reduce your request rate.', '0005-00000002'],
	SignatureDoesNotMatch: [403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', '0002-00000040'],
};

/** Builds a failure for `code`; `message` overrides the catalogue's, `extra` adds elements. */
export function ossError(code: string, message?: string, extra: Array<readonly [string, string]> = []): OssFailure {
	const [status, defaultMessage, ec] = CATALOG[code] ?? [400, code, '0000-00000000'];
	return {status, code, message: message ?? defaultMessage, ec, extra};
}

/** Type guard for a failure returned in place of a result. */
export function isOssFailure(value: unknown): value is OssFailure {
	return typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'ec' in value;
}

/** Space-separated hex of the bytes of `text`, as OSS prints `StringToSignBytes`. */
export function hexBytes(text: string): string {
	return [...Buffer.from(text, 'utf8')].map(b => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
