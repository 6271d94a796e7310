/**
PostObject (browser forms, `my.uploadFile`, `wx.uploadFile`): a multipart/form-data parser and the policy and
signature checks, V4 (`x-oss-signature-version=OSS4-HMAC-SHA256`) and V1 (`OSSAccessKeyId` + `Signature`).
@module
*/
import type {StsCredentials, StsIssuer} from '../sts.js';
import {verifySts} from './auth.js';
import {signatureV1} from './auth-v1.js';
import {parseIsoBasic, signatureV4, signingKeyV4} from './auth-v4.js';
import {ossError, type OssFailure} from './errors.js';

/** The file field of a form. */
export type FormFile = {filename: string; contentType?: string; data: Buffer};

/** A parsed form: fields by lower-cased name (first occurrence wins), and the file. */
export type ParsedForm = {fields: Map<string, string>; file: FormFile | undefined};

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary from a `multipart/form-data` Content-Type, or `undefined`. */
export function formBoundary(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
	const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : undefined;
}

/**
Parses a buffered multipart/form-data body. As OSS does, fields after the `file` field are ignored. Returns
`undefined` when the body is not well-formed.
*/
export function parseForm(body: Buffer, boundary: string): ParsedForm | undefined {
	const delimiter = Buffer.from(`--${boundary}`);
	const next = Buffer.from(`\r\n--${boundary}`);
	const fields = new Map<string, string>();
	let position = body.indexOf(delimiter);
	if (position < 0) return undefined;
	position += delimiter.length;
	for (;;) {
		if (body.subarray(position, position + 2).toString() === '--') return {fields, file: undefined};
		if (!body.subarray(position, position + 2).equals(CRLF)) return undefined;
		const headerStart = position + 2;
		const headerEnd = body.indexOf(HEADER_END, headerStart);
		if (headerEnd < 0) return undefined;
		const headers = new Map<string, string>();
		for (const line of body.subarray(headerStart, headerEnd).toString('utf8').split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
		}
		const contentStart = headerEnd + HEADER_END.length;
		const contentEnd = body.indexOf(next, contentStart);
		if (contentEnd < 0) return undefined;
		const disposition = headers.get('content-disposition') ?? '';
		const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
		if (!/^form-data\s*(;|$)/i.test(disposition) || name === undefined) return undefined;
		const content = body.subarray(contentStart, contentEnd);
		if (name.toLowerCase() === 'file') {
			const file: FormFile = {filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1] ?? '', data: content};
			const type = headers.get('content-type');
			if (type) file.contentType = type;
			return {fields, file};
		}
		if (!fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), content.toString('utf8'));
		position = contentEnd + next.length;
	}
}

/** Everything {@link authorizePostObject} needs. */
export type PostContext = {
	form: ParsedForm;
	bucket: string;
	/** Region from the Host. */
	region: string;
	sts: StsIssuer;
	now: number;
	maxSkewMs: number;
};

/** An accepted PostObject. */
export type PostAccepted = {credentials: StsCredentials; key: string; file: FormFile; contentType?: string; successStatus: 200 | 201 | 204};

type Condition = unknown;

const policyFailed = (condition: Condition) =>
	ossError('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);

/**
Checks a PostObject form: signature (V4 or V1), STS credentials, policy expiration and every condition. The scope
(bucket, `dir`) is left to the caller.
*/
export function authorizePostObject(context: PostContext): PostAccepted | OssFailure {
	const {form, bucket, now} = context;
	const field = (name: string) => form.fields.get(name);
	const file = form.file;
	if (!file) return ossError('InvalidArgument', 'The body of your POST request is not well-formed multipart/form-data: no file field.');
	const rawKey = field('key');
	if (rawKey === undefined || rawKey === '') return ossError('InvalidArgument', 'Key is not specified.');
	const key = rawKey.replace(/\$\{filename\}/g, file.filename);
	const policyText = field('policy');
	const version = field('x-oss-signature-version');
	let credentials: StsCredentials | OssFailure;
	if (version !== undefined) {
		if (version !== 'OSS4-HMAC-SHA256') return ossError('InvalidArgument', 'x-oss-signature-version must be OSS4-HMAC-SHA256.');
		const credential = field('x-oss-credential');
		const dateTime = field('x-oss-date');
		const signature = field('x-oss-signature');
		if (!credential) return ossError('InvalidArgument', 'x-oss-credential is required.');
		if (!dateTime) return ossError('InvalidArgument', 'x-oss-date is required.');
		if (!signature) return ossError('InvalidArgument', 'x-oss-signature is required.');
		if (!policyText) return ossError('InvalidArgument', 'policy is required.');
		const scope = credential.split('/');
		if (scope.length !== 5 || !scope[0] || !/^\d{8}$/.test(scope[1]!) || scope[3] !== 'oss' || scope[4] !== 'aliyun_v4_request') {
			return ossError('InvalidArgument', 'Invalid x-oss-credential: expected <AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request.');
		}
		const at = parseIsoBasic(dateTime);
		if (at === undefined) return ossError('InvalidArgument', 'x-oss-date must look like 20231203T121212Z.');
		if (dateTime.slice(0, 8) !== scope[1]) return ossError('InvalidArgument', 'The date in x-oss-credential differs from x-oss-date.');
		if (scope[2] !== context.region) return ossError('InvalidArgument', `Invalid signing region in x-oss-credential: expected ${context.region}.`);
		// OSS accepts an x-oss-date up to 15 minutes ahead of its clock, and a signature at most 7 days old.
		if (at - now > context.maxSkewMs) {
			return ossError('RequestTimeTooSkewed', undefined, [
				['RequestTime', dateTime],
				['ServerTime', new Date(now).toISOString()],
				['MaxAllowedSkewMilliseconds', String(context.maxSkewMs)],
			]);
		}
		if (now - at > 7 * 24 * 3600_000) return ossError('AccessDenied', 'Request has expired: x-oss-date is more than 7 days old.');
		credentials = verifySts(context.sts, scope[0], field('x-oss-security-token'));
		if (!('accessKeySecret' in credentials)) return credentials;
		const expected = signatureV4(signingKeyV4(credentials.accessKeySecret, scope[1]!, scope[2]!), policyText);
		if (signature.toLowerCase() !== expected) {
			return ossError('SignatureDoesNotMatch', undefined, [['OSSAccessKeyId', scope[0]], ['SignatureProvided', signature], ['StringToSign', policyText]]);
		}
	} else {
		const accessKeyId = field('ossaccesskeyid');
		if (accessKeyId === undefined) return ossError('AccessDenied', 'You have no right to access this object because of bucket acl. (anonymous PostObject)');
		const signature = field('signature');
		if (!policyText) return ossError('InvalidArgument', 'policy is required when OSSAccessKeyId is given.');
		if (!signature) return ossError('InvalidArgument', 'Signature is required when OSSAccessKeyId is given.');
		credentials = verifySts(context.sts, accessKeyId, field('x-oss-security-token'));
		if (!('accessKeySecret' in credentials)) return credentials;
		if (signatureV1(credentials.accessKeySecret, policyText) !== signature) {
			return ossError('SignatureDoesNotMatch', undefined, [['OSSAccessKeyId', accessKeyId], ['SignatureProvided', signature], ['StringToSign', policyText]]);
		}
	}

	let policy: unknown;
	try {
		policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8'));
	} catch {
		return ossError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
	}
	if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return ossError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
	const {expiration, conditions} = policy as {expiration?: unknown; conditions?: unknown};
	if (typeof expiration !== 'string' || Number.isNaN(Date.parse(expiration)) || !/^\d{4}-\d{2}-\d{2}T/.test(expiration)) {
		return ossError('InvalidPolicyDocument', 'Invalid Policy: Invalid \'expiration\' value.');
	}
	if (Date.parse(expiration) <= now) return ossError('AccessDenied', 'Invalid according to Policy: Policy expired.');
	if (!Array.isArray(conditions)) return ossError('InvalidPolicyDocument', 'Invalid Policy: \'conditions\' must be an array.');

	// What the conditions see: the form fields, plus the bucket from the Host and the final key.
	const valueOf = (name: string) => (name === 'bucket' ? bucket : name === 'key' ? key : (field(name) ?? ''));
	const exact = new Map<string, string>();
	for (const condition of conditions as Condition[]) {
		if (typeof condition === 'object' && condition !== null && !Array.isArray(condition)) {
			const entries = Object.entries(condition);
			if (entries.length !== 1 || typeof entries[0]![1] !== 'string') return ossError('InvalidPolicyDocument', `Invalid Policy: Invalid Simple-Condition: ${JSON.stringify(condition)}`);
			const [name, value] = entries[0]! as [string, string];
			exact.set(name.toLowerCase(), value);
			if (valueOf(name.toLowerCase()) !== value) return policyFailed(condition);
			continue;
		}
		if (!Array.isArray(condition) || typeof condition[0] !== 'string') return ossError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`);
		const op = condition[0].toLowerCase();
		if (op === 'content-length-range') {
			const [, min, max] = condition as [string, unknown, unknown];
			if (condition.length !== 3 || !Number.isInteger(min) || !Number.isInteger(max)) {
				return ossError('InvalidPolicyDocument', `Invalid Policy: Invalid content-length-range: ${JSON.stringify(condition)}`);
			}
			if (file.data.length < (min as number)) return ossError('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size (${min as number} bytes).`);
			if (file.data.length > (max as number)) return ossError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${max as number} bytes).`);
			continue;
		}
		const [, target, operand] = condition as [string, unknown, unknown];
		if (condition.length !== 3 || typeof target !== 'string' || !target.startsWith('$')) {
			return ossError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`);
		}
		const name = target.slice(1).toLowerCase();
		const actual = valueOf(name);
		if (op === 'eq' && typeof operand === 'string') {
			exact.set(name, operand);
			if (actual !== operand) return policyFailed(condition);
		} else if (op === 'starts-with' && typeof operand === 'string') {
			if (!actual.startsWith(operand)) return policyFailed(condition);
		} else if ((op === 'in' || op === 'not-in') && Array.isArray(operand) && operand.every(v => typeof v === 'string')) {
			if (operand.includes(actual) !== (op === 'in')) return policyFailed(condition);
		} else {
			return ossError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`);
		}
	}
	if (version !== undefined) {
		// A V4 policy must pin the signing fields to the values in the form.
		for (const name of ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date']) {
			if (!exact.has(name)) return ossError('InvalidPolicyDocument', `Invalid Policy: the policy must contain the ${name} condition.`);
		}
	}

	const status = field('success_action_status');
	const successStatus = status === '200' ? 200 : status === '201' ? 201 : 204;
	const accepted: PostAccepted = {credentials, key, file, successStatus};
	const contentType = field('content-type') ?? file.contentType;
	if (contentType) accepted.contentType = contentType;
	return accepted;
}
