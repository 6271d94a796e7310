#!/usr/bin/env node
// Known-answer vectors for topsec/oss signing, computed by the official ali-oss package's OWN signer
// (node_modules/ali-oss/lib/common/signUtils.js, object/signPostObjectPolicyV4.js, object/calculatePostSignature.js).
// Our code is never imported here: the inputs are plain data, the answers come from ali-oss only.
//
//   node scripts/gen-oss-vectors.mjs        → writes test/vectors/oss-v4.json, oss-v1.json, oss-post.json
//
// The inputs mirror what topsec's signers take (see src/oss/sign.ts): `query` values `null` or '' mean a sub-resource
// without value; they are handed to ali-oss as `null`, which is what ali-oss's createRequest does with `subres`.
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const signUtils = require('ali-oss/lib/common/signUtils.js');
const {signPostObjectPolicyV4} = require('ali-oss/lib/common/object/signPostObjectPolicyV4.js');
const {calculatePostSignature} = require('ali-oss/lib/common/object/calculatePostSignature.js');
const {getStandardRegion} = require('ali-oss/lib/common/utils/getStandardRegion.js');
const dateFormat = require('dateformat');
const aliOssVersion = JSON.parse(readFileSync(require.resolve('ali-oss/package.json'), 'utf8')).version;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test', 'vectors');

// Fake credentials: realistic shapes (an STS token has + / =), never real.
const STS = {
	accessKeyId: 'STS.NTestAccessKeyId5xYz',
	accessKeySecret: 'TestAccessKeySecret/with+chars=0123456789',
	securityToken: 'CAIS8QF1q6Ft5B2yfSjIr5fBKN7ej+Zv0aKgVHTKlWkteN1bmv/Ttzz2IHhMeXFvBuwbsPQ2m2pX6/4TlqB6T55OSAmcNZIoOfMm9yS8EXfO+9ta8s1vbnIcGAmHkDS6pPh4ZgzHV/7BkplMxw2I4EFZxJrP/+Bc6jDb7N04Wag/hd6SFc7Q6w==',
	region: 'cn-hangzhou',
};
const PLAIN = {accessKeyId: 'LTAI5tPlainKeyId', accessKeySecret: 'PlainSecret', securityToken: '', region: 'ap-southeast-1'};
const UPLOAD_ID = '0004B9895DBBB6EC98E36D3F5D4C6E1A';

const T1 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const T2 = Date.UTC(2024, 11, 31, 23, 59, 59, 999); // day boundary
const T3 = Date.UTC(2025, 5, 15, 12, 0, 0);

// V4 header-signing cases. `additionalHeaders` is passed raw; ali-oss normalises it (fixAdditionalHeaders).
const V4_CASES = [
	{name: 'PUT object with content-type', credentials: STS, now: T1, input: {method: 'PUT', bucket: 'topsec-dev', key: 'uploads/m1/2024-01-02/abc123-photo.png', headers: {'content-type': 'image/png'}}},
	{
		name: 'PUT key with Chinese, space, +, ~, %, !\'()*',
		credentials: STS,
		now: T1,
		input: {method: 'PUT', bucket: 'topsec-dev', key: "uploads/m1/报告 2024+final~v1%20(1)!'*.pdf", headers: {'Content-Type': 'application/pdf'}},
	},
	{name: 'POST ?uploads (value-less sub-resource)', credentials: STS, now: T1, input: {method: 'POST', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploads: null}, headers: {'content-type': 'video/mp4'}}},
	{name: "POST ?uploads given as ''", credentials: STS, now: T1, input: {method: 'POST', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploads: ''}}},
	{name: 'PUT ?partNumber=3&uploadId=', credentials: STS, now: T1, input: {method: 'PUT', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploadId: UPLOAD_ID, partNumber: '3'}}},
	{
		name: 'POST ?uploadId= complete, content-type and content-md5',
		credentials: STS,
		now: T1,
		input: {
			method: 'POST',
			bucket: 'topsec-dev',
			key: 'uploads/m1/big.mp4',
			query: {uploadId: UPLOAD_ID},
			headers: {'Content-Type': 'application/xml', 'Content-MD5': 'XrY7u+Ae7tCTyyK7j1rNww=='},
		},
	},
	{
		name: 'GET ?uploadId=&max-parts=&part-number-marker= list parts',
		credentials: STS,
		now: T2,
		input: {method: 'GET', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploadId: UPLOAD_ID, 'max-parts': '1000', 'part-number-marker': '0', 'encoding-type': undefined}},
	},
	{name: 'DELETE ?uploadId= abort', credentials: STS, now: T2, input: {method: 'delete', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploadId: UPLOAD_ID}}},
	{
		name: 'additional header host (+ duplicates and an always-signed one)',
		credentials: STS,
		now: T3,
		input: {
			method: 'PUT',
			bucket: 'topsec-dev',
			key: 'uploads/m1/a.txt',
			headers: {host: 'topsec-dev.oss-cn-hangzhou.aliyuncs.com', 'content-type': 'text/plain;charset=utf-8'},
			additionalHeaders: ['Host', 'host', 'x-oss-meta-ignored', 'content-type'],
		},
	},
	{
		name: 'x-oss-* headers, mixed case, values trimmed, no token, other region',
		credentials: PLAIN,
		now: T3,
		input: {
			method: 'PUT',
			bucket: 'sg-bucket-01',
			key: 'a/b/c.json',
			headers: {'X-Oss-Meta-Author': '  Ann Lee ', 'x-oss-forbid-overwrite': 'true', 'Content-Type': 'application/json', 'Cache-Control': 'no-cache'},
		},
	},
	{
		name: 'bucket-level GET ?uploads&prefix= with encoded value',
		credentials: {...STS, region: 'cn-shanghai'},
		now: T2,
		input: {method: 'GET', bucket: 'topsec-dev', query: {uploads: null, prefix: 'uploads/m1/年 a+b', 'max-uploads': '50'}},
	},
	{
		name: 'HEAD with response-* and upper-case query key',
		credentials: {...STS, region: 'cn-beijing'},
		now: T1,
		input: {method: 'HEAD', bucket: 'topsec-dev', key: 'x.bin', query: {'response-content-disposition': 'attachment; filename="x y.bin"', versionId: 'CAEQNhiBgM0BYiIDM2Y'}},
	},
];

const aliQueries = (query = {}) => Object.fromEntries(Object.entries(query).map(([name, value]) => [name, value === '' ? null : value]));

function v4Vector({name, credentials, now, input}) {
	const date = dateFormat(new Date(now), "UTC:yyyymmdd'T'HHMMss'Z'");
	const region = getStandardRegion(credentials.region);
	const headers = {...input.headers, 'x-oss-date': date, 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD'};
	if (credentials.securityToken) headers['x-oss-security-token'] = credentials.securityToken;
	const request = {headers, queries: aliQueries(input.query)};
	const fixed = signUtils.fixAdditionalHeaders(input.additionalHeaders);
	const canonicalRequest = signUtils.getCanonicalRequest(input.method, request, input.bucket, input.key, fixed);
	const stringToSign = signUtils.getStringToSign(region, date, canonicalRequest);
	const authorization = signUtils.authorizationV4(
		credentials.accessKeyId,
		credentials.accessKeySecret,
		region,
		input.method,
		request,
		input.bucket,
		input.key,
		input.additionalHeaders,
	);
	return {name, credentials, now, date, input, canonicalRequest, stringToSign, authorization, headers: {...headers, Authorization: authorization}};
}

// V1: ali-oss signs only the sub-resources each API passes as `subres` (never `query`), key unencoded.
const V1_CASES = [
	{name: 'PUT object', credentials: STS, now: T1, subres: [], input: {method: 'PUT', bucket: 'topsec-dev', key: 'uploads/m1/photo.png', headers: {'Content-Type': 'image/png'}}},
	{name: 'PUT key with Chinese, space, +', credentials: STS, now: T1, subres: [], input: {method: 'PUT', bucket: 'topsec-dev', key: 'uploads/m1/报告 2024+final~v1%20(1).pdf', headers: {'content-type': 'application/pdf', 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg=='}}},
	{name: 'POST ?uploads', credentials: STS, now: T1, subres: ['uploads'], input: {method: 'POST', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploads: null}}},
	{name: 'PUT ?partNumber&uploadId', credentials: STS, now: T2, subres: ['partNumber', 'uploadId'], input: {method: 'PUT', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {partNumber: '3', uploadId: UPLOAD_ID}}},
	{
		name: 'GET ?uploadId with unsigned max-parts',
		credentials: STS,
		now: T2,
		subres: ['uploadId'],
		input: {method: 'GET', bucket: 'topsec-dev', key: 'uploads/m1/big.mp4', query: {uploadId: UPLOAD_ID, 'max-parts': '1000'}},
	},
	{name: 'DELETE ?uploadId, no token', credentials: PLAIN, now: T3, subres: ['uploadId'], input: {method: 'DELETE', bucket: 'sg-bucket-01', key: 'a/b.bin', query: {uploadId: UPLOAD_ID}, headers: {'x-oss-meta-note': ' hi '}}},
];

function v1Vector({name, credentials, now, subres, input}) {
	const date = dateFormat(new Date(now), "UTC:ddd, dd mmm yyyy HH:MM:ss 'GMT'");
	const headers = {...input.headers, 'x-oss-date': date};
	if (credentials.securityToken) headers['x-oss-security-token'] = credentials.securityToken;
	const parameters = Object.fromEntries(subres.map((key) => [key, input.query[key]]));
	const resource = `/${input.bucket}/${input.key ?? ''}`; // ali-oss client._getResource (utf-8 header encoding: raw key)
	const canonicalString = signUtils.buildCanonicalString(input.method.toUpperCase(), resource, {headers, parameters});
	const authorization = signUtils.authorization(credentials.accessKeyId, credentials.accessKeySecret, canonicalString);
	return {name, credentials, now, date, input, canonicalString, authorization, headers: {...headers, Authorization: authorization}};
}

// PostObject: the policy document topsec is specified to build (DESIGN.md §6), signed by ali-oss.
const CREDS = {...STS, bucket: 'topsec-dev', endpoint: 'oss-cn-hangzhou.aliyuncs.com', dir: 'uploads/m1/', expiresAt: T1 + 3600_000};
const POST_CASES = [
	{name: 'v4 keyPrefix, defaults', credentials: CREDS, options: {keyPrefix: 'uploads/m1/', now: T1}},
	{name: 'v4 exact key, exact content type, sizes, 201', credentials: CREDS, options: {key: 'uploads/m1/a b.png', contentType: 'image/png', minSize: 1, maxSize: 1048576, successActionStatus: 201, expiresInMs: 60_000, now: T1}},
	{name: 'v4 wildcard content type, expiry capped by credentials, emulator endpoint', credentials: {...CREDS, endpoint: 'http://oss-cn-hangzhou.localhost:8787', expiresAt: T1 + 120_000}, options: {keyPrefix: 'uploads/m1/img-', contentType: 'image/*', now: T1}},
	{name: 'v4 no token, region from endpoint', credentials: {...CREDS, securityToken: '', region: '', endpoint: 'oss-cn-shenzhen.aliyuncs.com', dir: '', expiresAt: T2 + 3600_000}, options: {key: '中文/文件.txt', now: T2}},
	{name: 'v1 keyPrefix', credentials: CREDS, options: {keyPrefix: 'uploads/m1/', version: 'v1', now: T1}},
	{name: 'v1 exact key, exact content type, 204, no token', credentials: {...CREDS, securityToken: ''}, options: {key: 'uploads/m1/x.txt', contentType: 'text/plain', successActionStatus: 204, version: 'v1', now: T1 + 1000}},
];

function postVector({name, credentials, options}) {
	const {key, keyPrefix, contentType, version = 'v4', minSize = 0, maxSize = 100 * 1024 * 1024, expiresInMs = 15 * 60_000, successActionStatus = 200, now} = options;
	const expiresAt = Math.min(now + expiresInMs, credentials.expiresAt);
	const region = getStandardRegion(credentials.region || /oss-([a-z\d-]+?)\.aliyuncs/.exec(credentials.endpoint)[1]);
	const date = dateFormat(new Date(now), "UTC:yyyymmdd'T'HHMMss'Z'");
	const credential = `${credentials.accessKeyId}/${date.slice(0, 8)}/${region}/oss/aliyun_v4_request`;
	const status = String(successActionStatus);
	const wildcard = contentType?.endsWith('/*');
	const conditions = [{bucket: credentials.bucket}, key === undefined ? ['starts-with', '$key', keyPrefix] : {key}, ['content-length-range', minSize, maxSize]];
	if (version === 'v4') conditions.push({'x-oss-signature-version': 'OSS4-HMAC-SHA256'}, {'x-oss-credential': credential}, {'x-oss-date': date});
	if (credentials.securityToken) conditions.push({'x-oss-security-token': credentials.securityToken});
	conditions.push({success_action_status: status});
	if (contentType) conditions.push(wildcard ? ['starts-with', '$Content-Type', contentType.slice(0, -1)] : ['eq', '$Content-Type', contentType]);
	const policyDocument = {expiration: new Date(expiresAt).toISOString(), conditions};
	const fields = {key: key ?? `${keyPrefix}\${filename}`};
	if (version === 'v4') {
		const self = {options: {accessKeySecret: credentials.accessKeySecret, region}};
		fields.policy = Buffer.from(JSON.stringify(policyDocument), 'utf8').toString('base64');
		Object.assign(fields, {
			'x-oss-signature-version': 'OSS4-HMAC-SHA256',
			'x-oss-credential': credential,
			'x-oss-date': date,
			'x-oss-signature': signPostObjectPolicyV4.call(self, policyDocument, new Date(now)),
		});
	} else {
		const self = {options: {accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret}};
		const {OSSAccessKeyId, Signature, policy} = calculatePostSignature.call(self, policyDocument);
		Object.assign(fields, {policy, OSSAccessKeyId, Signature});
	}
	if (credentials.securityToken) fields['x-oss-security-token'] = credentials.securityToken;
	fields.success_action_status = status;
	if (contentType && !wildcard) fields['Content-Type'] = contentType;
	const origin = /^https?:\/\//.test(credentials.endpoint) ? credentials.endpoint.replace('://', `://${credentials.bucket}.`) : `https://${credentials.bucket}.${credentials.endpoint}`;
	return {name, credentials, options, policyDocument, url: `${origin}/`, fields, expiresAt};
}

mkdirSync(out, {recursive: true});
const header = (what) => ({generatedBy: 'scripts/gen-oss-vectors.mjs', aliOss: aliOssVersion, what});
const write = (file, data) => {
	writeFileSync(join(out, file), JSON.stringify(data, null, '\t') + '\n');
	console.log(`wrote test/vectors/${file}`);
};
write('oss-v4.json', {...header('V4 header signing (signUtils.getCanonicalRequest / getStringToSign / authorizationV4)'), vectors: V4_CASES.map(v4Vector)});
write('oss-v1.json', {...header('V1 header signing (signUtils.buildCanonicalString / authorization)'), vectors: V1_CASES.map(v1Vector)});
write('oss-post.json', {...header('PostObject policy signatures (signPostObjectPolicyV4 / calculatePostSignature)'), vectors: POST_CASES.map(postVector)});
