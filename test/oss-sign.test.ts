import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import v4 from './vectors/oss-v4.json' with {type: 'json'};
import v1 from './vectors/oss-v1.json' with {type: 'json'};
import {canonicalQuery, ossEncode, ossEncodePath} from '../src/oss/encode.js';
import {
	additionalHeaderNames,
	canonicalRequest,
	ossDate,
	signingKey,
	signingRegion,
	signOssRequest,
	stringToSign,
	type OssSignInput,
} from '../src/oss/sign.js';
import {canonicalStringV1, signOssRequestV1} from '../src/oss/sign-v1.js';

type Vector = {name: string; credentials: {accessKeyId: string; accessKeySecret: string; securityToken: string; region: string}; now: number; date: string; input: OssSignInput; headers: Record<string, string>};

const withoutAuthorization = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'Authorization'));

describe(`V4 vectors from ali-oss ${v4.aliOss}`, () => {
	for (const vector of v4.vectors as unknown as Array<Vector & {canonicalRequest: string; stringToSign: string; authorization: string}>) {
		it(vector.name, async () => {
			const region = signingRegion(vector.credentials.region);
			assert.equal(ossDate(vector.now), vector.date);
			const canonical = canonicalRequest({...vector.input, headers: withoutAuthorization(vector.headers)});
			assert.equal(canonical, vector.canonicalRequest);
			assert.equal(await stringToSign(canonical, vector.date, region), vector.stringToSign);
			const headers = await signOssRequest(vector.credentials, vector.input, {now: vector.now});
			assert.equal(headers.Authorization, vector.authorization);
			assert.deepEqual(headers, vector.headers);
		});
	}
});

describe(`V1 vectors from ali-oss ${v1.aliOss}`, () => {
	for (const vector of v1.vectors as unknown as Array<Vector & {canonicalString: string; authorization: string}>) {
		it(vector.name, async () => {
			assert.equal(canonicalStringV1({...vector.input, headers: withoutAuthorization(vector.headers)}), vector.canonicalString);
			const headers = await signOssRequestV1(vector.credentials, vector.input, {now: vector.now});
			assert.equal(headers.Authorization, vector.authorization);
			assert.deepEqual(headers, vector.headers);
		});
	}
});

const CREDS = {accessKeyId: 'AKID', accessKeySecret: 'secret', securityToken: 'token', region: 'cn-hangzhou'};
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

describe('encoding', () => {
	it('ossEncode encodes everything but unreserved characters', () => {
		assert.equal(ossEncode("a b+c~d-e_f.g!'()*%/中"), "a%20b%2Bc~d-e_f.g%21%27%28%29%2A%25%2F%E4%B8%AD");
		assert.equal(ossEncodePath('dir/sub dir/a+b.txt'), 'dir/sub%20dir/a%2Bb.txt');
	});
	it('canonicalQuery: value-less sub-resources, undefined skipped, code-unit order of encoded names', () => {
		assert.equal(canonicalQuery({uploads: null}), 'uploads');
		assert.equal(canonicalQuery({uploads: ''}), 'uploads');
		assert.equal(canonicalQuery({b: '1', skip: undefined, a: 'x y'}), 'a=x%20y&b=1');
		// Code-unit order (as OSS documents); ali-oss uses localeCompare, which agrees for OSS's lowercase/camelCase names.
		assert.equal(canonicalQuery({b: '1', a: '2', B: '3'}), 'B=3&a=2&b=1');
		assert.equal(canonicalQuery({'id-type': '1', id: '2'}), 'id=2&id-type=1');
		assert.equal(canonicalQuery(), '');
	});
});

describe('signOssRequest', () => {
	it('adds x-oss-date, UNSIGNED-PAYLOAD, the token and Authorization; keeps the input headers', async () => {
		const headers = await signOssRequest(CREDS, {method: 'PUT', bucket: 'b-1', key: 'k', headers: {'Content-Type': 'text/plain'}}, {now: NOW});
		assert.deepEqual(Object.keys(headers), ['Content-Type', 'x-oss-date', 'x-oss-content-sha256', 'x-oss-security-token', 'Authorization']);
		assert.equal(headers['x-oss-date'], '20240102T030405Z');
		assert.match(headers.Authorization!, /^OSS4-HMAC-SHA256 Credential=AKID\/20240102\/cn-hangzhou\/oss\/aliyun_v4_request,Signature=[\da-f]{64}$/);
	});
	it('replaces a caller\'s own spelling of the headers it sets', async () => {
		const own = await signOssRequest(CREDS, {method: 'GET', bucket: 'b-1', key: 'k'}, {now: NOW});
		const spoofed = await signOssRequest(
			CREDS,
			{method: 'GET', bucket: 'b-1', key: 'k', headers: {'X-OSS-Date': '19700101T000000Z', authorization: 'x', 'X-Oss-Security-Token': 'old', 'x-oss-content-sha256': 'abc'}},
			{now: NOW},
		);
		assert.deepEqual(spoofed, own);
	});
	it('omits x-oss-security-token without a token; accepts an "oss-" region', async () => {
		const headers = await signOssRequest({...CREDS, securityToken: '', region: 'oss-cn-hangzhou'}, {method: 'GET', bucket: 'b-1'}, {now: NOW});
		assert.equal(headers['x-oss-security-token'], undefined);
		assert.match(headers.Authorization!, /\/cn-hangzhou\/oss\//);
	});
	it('lists additional headers and rejects missing ones', async () => {
		const headers = await signOssRequest(CREDS, {method: 'GET', bucket: 'b-1', key: 'k', headers: {Host: 'b-1.x', Range: 'bytes=0-1'}, additionalHeaders: ['range', 'Host']}, {now: NOW});
		assert.match(headers.Authorization!, /,AdditionalHeaders=host;range,Signature=/);
		await assert.rejects(signOssRequest(CREDS, {method: 'GET', bucket: 'b-1', additionalHeaders: ['host']}, {now: NOW}), {name: 'TypeError', message: /`host`/});
		assert.deepEqual(additionalHeaderNames(['X-OSS-Meta-A', 'Content-MD5', 'Host', 'host']), ['host']);
	});
	it('throws TypeError on missing credentials or region', async () => {
		await assert.rejects(signOssRequest({...CREDS, accessKeySecret: ''}, {method: 'GET', bucket: 'b-1'}), TypeError);
		await assert.rejects(signOssRequest({...CREDS, region: ''}, {method: 'GET', bucket: 'b-1'}), {name: 'TypeError', message: /`region`/});
		assert.equal(signingRegion(' oss-cn-beijing '), 'cn-beijing');
	});
	it('caches the signing key per secret, day and region', async () => {
		const a = signingKey('s', '20240102', 'cn-hangzhou');
		assert.equal(signingKey('s', '20240102', 'cn-hangzhou'), a);
		assert.notEqual(signingKey('s', '20240103', 'cn-hangzhou'), a);
		assert.notEqual(signingKey('t', '20240102', 'cn-hangzhou'), a);
		const key = await a;
		assert.equal(key.type, 'secret');
		assert.equal(key.extractable, false);
	});
	it('signs the same in every run (deterministic with an injected clock)', async () => {
		const input = {method: 'PUT', bucket: 'b-1', key: 'a/b', query: {partNumber: '1', uploadId: 'u'}};
		assert.deepEqual(await signOssRequest(CREDS, input, {now: NOW}), await signOssRequest(CREDS, input, {now: NOW}));
		assert.notDeepEqual(await signOssRequest(CREDS, input, {now: NOW}), await signOssRequest(CREDS, input, {now: NOW + 1000}));
	});
});

describe('signOssRequestV1', () => {
	it('uses an explicit date and signs only sub-resources', async () => {
		const date = 'Tue, 02 Jan 2024 03:04:05 GMT';
		const a = await signOssRequestV1(CREDS, {method: 'GET', bucket: 'b-1', key: 'k', query: {uploadId: 'u', 'max-parts': '5'}, date});
		const b = await signOssRequestV1(CREDS, {method: 'GET', bucket: 'b-1', key: 'k', query: {uploadId: 'u', 'max-parts': '9'}}, {now: NOW});
		assert.equal(a['x-oss-date'], date);
		assert.equal(a.Authorization, b.Authorization);
		assert.match(a.Authorization!, /^OSS AKID:[A-Za-z\d+/]{27}=$/);
	});
});
