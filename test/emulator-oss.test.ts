/**
Protocol tests of the OSS emulator with hand-built requests. Signatures come from ali-oss's own `signUtils` (an
independent signer) or from node:crypto written out here, never from the emulator's code.
*/
import assert from 'node:assert/strict';
import {createHash, createHmac} from 'node:crypto';
import {request} from 'node:http';
import {connect} from 'node:net';
import {after, before, describe, it} from 'node:test';
import signUtils from 'ali-oss/lib/common/signUtils.js';
import {createStsIssuer, type StsCredentials, type StsIssuer} from '../src/emulator/sts.js';
import {createOssEmulator, crc64, listenOssEmulator, type OssEmulator, type OssEmulatorOptions} from '../src/emulator/oss/index.js';

const BUCKET = 'topsec-dev';
const REGION = 'cn-hangzhou';
const DIR = 'uploads/t/';

type Reply = {status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; text: string; code: string | undefined};
type Env = {sts: StsIssuer; emulator: OssEmulator; port: number; host: string; creds: StsCredentials; close(): Promise<void>};

async function setup(options: Partial<OssEmulatorOptions> = {}, stsNow?: () => number): Promise<Env> {
	const sts = createStsIssuer(stsNow ? {now: stsNow} : {});
	const emulator = createOssEmulator({sts, ...options});
	const server = await listenOssEmulator(emulator);
	const creds = sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 3600_000);
	return {sts, emulator, port: server.port, host: `${BUCKET}.oss-${REGION}.localhost:${server.port}`, creds, close: server.close};
}

function send(env: Env, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = request({host: '127.0.0.1', port: env.port, method, path, headers: {Host: env.host, ...headers}, agent: false}, res => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const data = Buffer.concat(chunks);
				const text = data.toString('utf8');
				resolve({status: res.statusCode ?? 0, headers: res.headers, body: data, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1]});
			});
		});
		req.on('error', reject);
		req.end(body);
	});
}

const isoBasic = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const escapeKey = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/');
const queryString = (query: Record<string, string | null>) =>
	Object.entries(query).map(([k, v]) => (v === null ? k : `${k}=${encodeURIComponent(v)}`)).join('&');

type Signed = {method: string; key: string; query?: Record<string, string | null>; headers?: Record<string, string>; body?: Buffer | string; creds?: Pick<StsCredentials, 'accessKeyId' | 'accessKeySecret' | 'securityToken'>; at?: number; region?: string};

/** A V4 request signed with ali-oss's signUtils. */
function v4(env: Env, options: Signed): Promise<Reply> {
	const creds = options.creds ?? env.creds;
	const body = options.body ?? '';
	const headers: Record<string, string> = {
		'x-oss-date': isoBasic(options.at ?? Date.now()),
		'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
		'x-oss-security-token': creds.securityToken,
		...options.headers,
	};
	const query = options.query ?? {};
	headers.authorization = signUtils.authorizationV4(creds.accessKeyId, creds.accessKeySecret, options.region ?? REGION, options.method, {headers, queries: query}, BUCKET, options.key);
	const qs = queryString(query);
	return send(env, options.method, `/${escapeKey(options.key)}${qs ? `?${qs}` : ''}`, {'Content-Length': String(Buffer.byteLength(body)), ...headers}, body);
}

/** A V1 request signed with ali-oss's signUtils (date in the `Date` header unless `x-oss-date` is given). */
function v1(env: Env, options: Signed & {subres?: Record<string, string | null>}): Promise<Reply> {
	const creds = options.creds ?? env.creds;
	const body = options.body ?? '';
	const headers: Record<string, string> = {'x-oss-security-token': creds.securityToken, Date: new Date(options.at ?? Date.now()).toUTCString(), ...options.headers};
	const subres = Object.fromEntries(Object.entries(options.subres ?? {}).map(([k, v]) => [k, v ?? '']));
	const canonical = signUtils.buildCanonicalString(options.method, `/${BUCKET}/${options.key}`, {headers, parameters: subres}, headers['x-oss-date'] ? undefined : headers.Date);
	headers.authorization = signUtils.authorization(creds.accessKeyId, creds.accessKeySecret, canonical);
	const qs = queryString({...(options.subres ?? {}), ...(options.query ?? {})});
	return send(env, options.method, `/${escapeKey(options.key)}${qs ? `?${qs}` : ''}`, {'Content-Length': String(Buffer.byteLength(body)), ...headers}, body);
}

const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex').toUpperCase();
const pattern = (size: number, seed = 1) => {
	const data = Buffer.alloc(size);
	for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7) % 251;
	return data;
};
const xmlValue = (text: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];

describe('crc64', () => {
	it('matches the CRC-64/XZ check value OSS uses', () => {
		assert.equal(crc64(Buffer.from('123456789')), '11051210869376104954');
		assert.equal(crc64(Buffer.alloc(0)), '0');
	});
	it('continues a running checksum', () => {
		const data = pattern(100_003);
		assert.equal(crc64(data.subarray(50_001), crc64(data.subarray(0, 50_001))), crc64(data));
	});
});

describe('OSS emulator: hosts, auth and errors', () => {
	let env: Env;
	before(async () => {
		env = await setup();
	});
	after(() => env.close());

	it('matches only <bucket>.oss-<region>.localhost[:port] hosts', () => {
		assert.equal(env.emulator.matchesHost('topsec-dev.oss-cn-hangzhou.localhost:8787'), true);
		assert.equal(env.emulator.matchesHost('Topsec-Dev.OSS-cn-hangzhou.localhost'), true);
		assert.equal(env.emulator.matchesHost('oss-cn-hangzhou.localhost:8787'), false);
		assert.equal(env.emulator.matchesHost('localhost:8787'), false);
		assert.equal(env.emulator.matchesHost(undefined), false);
	});

	it('answers AccessDenied as OSS XML when there is no Authorization', async () => {
		const reply = await send(env, 'GET', `/${DIR}a.txt`, {});
		assert.equal(reply.status, 403);
		assert.equal(reply.code, 'AccessDenied');
		assert.match(reply.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error>/);
		assert.equal(xmlValue(reply.text, 'RequestId'), reply.headers['x-oss-request-id']);
		assert.equal(xmlValue(reply.text, 'HostId'), `${BUCKET}.oss-${REGION}.localhost`);
		assert.ok(xmlValue(reply.text, 'EC'));
		assert.equal(reply.headers['content-type'], 'application/xml');
	});

	it('refuses a bucket name OSS would refuse', async () => {
		const reply = await send(env, 'GET', '/x', {Host: `Bad_Bucket.oss-${REGION}.localhost:${env.port}`});
		assert.equal(reply.code, 'InvalidBucketName');
		assert.equal(reply.status, 400);
	});

	it('stores with V4 and returns ETag, CRC-64 and Content-MD5', async () => {
		const body = pattern(5000);
		const put = await v4(env, {method: 'PUT', key: `${DIR}v4.bin`, body, headers: {'Content-Type': 'application/octet-stream'}});
		assert.equal(put.status, 200, put.text);
		assert.equal(put.headers.etag, `"${md5Hex(body)}"`);
		assert.equal(put.headers['x-oss-hash-crc64ecma'], crc64(body));
		assert.equal(put.headers['content-md5'], createHash('md5').update(body).digest('base64'));
		const stored = env.emulator.getObject(BUCKET, `${DIR}v4.bin`);
		assert.ok(stored, 'the object is stored');
		assert.ok(stored.body.equals(body));
		assert.equal(stored.contentType, 'application/octet-stream');
	});

	it('accepts V4 with additional headers, odd keys and query parameters', async () => {
		const key = `${DIR}sp ace/ü+(1)!*'.txt`;
		const put = await v4(env, {method: 'PUT', key, body: 'x', headers: {'x-oss-meta-a': ' b ', 'Content-Type': 'text/plain'}});
		assert.equal(put.status, 200, put.text);
		const headers = {host: env.host, 'x-oss-date': isoBasic(Date.now()), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', 'x-oss-security-token': env.creds.securityToken};
		const queries = {'response-content-type': 'text/plain', foo: null};
		const authorization = signUtils.authorizationV4(env.creds.accessKeyId, env.creds.accessKeySecret, REGION, 'GET', {headers, queries}, BUCKET, key, ['host']);
		assert.match(authorization, /AdditionalHeaders=host,/);
		const get = await send(env, 'GET', `/${escapeKey(key)}?response-content-type=text%2Fplain&foo`, {...headers, authorization});
		assert.equal(get.status, 200, get.text);
		assert.equal(get.text, 'x');
	});

	it('stores with V1 using the Date header, and with x-oss-date as ali-oss does', async () => {
		const a = await v1(env, {method: 'PUT', key: `${DIR}v1-date.txt`, body: 'hello', headers: {'Content-Type': 'text/plain'}});
		assert.equal(a.status, 200, a.text);
		const b = await v1(env, {method: 'PUT', key: `${DIR}v1-ossdate.txt`, body: 'hello', headers: {'x-oss-date': new Date().toUTCString()}});
		assert.equal(b.status, 200, b.text);
	});

	it('answers SignatureDoesNotMatch with the StringToSign and CanonicalRequest', async () => {
		const wrong = {...env.creds, accessKeySecret: 'not-the-secret'};
		const a = await v4(env, {method: 'PUT', key: `${DIR}x.txt`, body: 'x', creds: wrong});
		assert.equal(a.status, 403);
		assert.equal(a.code, 'SignatureDoesNotMatch');
		assert.match(a.text, /<CanonicalRequest>PUT\n\/topsec-dev\/uploads\/t\/x.txt\n/);
		assert.match(a.text, /<StringToSign>OSS4-HMAC-SHA256\n/);
		const b = await v1(env, {method: 'PUT', key: `${DIR}x.txt`, body: 'x', creds: wrong});
		assert.equal(b.code, 'SignatureDoesNotMatch');
		assert.match(b.text, /<StringToSign>PUT\n\n\n/);
		assert.ok(xmlValue(b.text, 'StringToSignBytes'));
	});

	it('signs the sub-resources in V1 (a tampered uploadId fails)', async () => {
		const init = await v1(env, {method: 'POST', key: `${DIR}sub.bin`, subres: {uploads: null}});
		assert.equal(init.status, 200, init.text);
		const uploadId = xmlValue(init.text, 'UploadId')!;
		const headers = {'x-oss-security-token': env.creds.securityToken, Date: new Date().toUTCString()};
		const canonical = signUtils.buildCanonicalString('GET', `/${BUCKET}/${DIR}sub.bin`, {headers, parameters: {uploadId: 'other'}}, headers.Date);
		const reply = await send(env, 'GET', `/${DIR}sub.bin?uploadId=${uploadId}`, {...headers, authorization: signUtils.authorization(env.creds.accessKeyId, env.creds.accessKeySecret, canonical)});
		assert.equal(reply.code, 'SignatureDoesNotMatch');
		const list = await v1(env, {method: 'GET', key: `${DIR}sub.bin`, subres: {uploadId}, query: {'max-parts': '5'}});
		assert.equal(list.status, 200, list.text);
	});

	it('maps STS refusals to OSS codes', async () => {
		const missing = await v4(env, {method: 'GET', key: `${DIR}a`, creds: {...env.creds, securityToken: ''}});
		assert.equal(missing.code, 'InvalidAccessKeyId');
		const forged = await v4(env, {method: 'GET', key: `${DIR}a`, creds: {...env.creds, securityToken: `${env.creds.securityToken.split('.')[0]}.AAAA`}});
		assert.equal(forged.code, 'InvalidSecurityToken');
		const other = env.sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 60_000);
		const swapped = await v4(env, {method: 'GET', key: `${DIR}a`, creds: {...other, securityToken: env.creds.securityToken}});
		assert.equal(swapped.code, 'InvalidAccessKeyId');
		for (const reply of [missing, forged, swapped]) assert.equal(reply.status, 403);
	});

	it('keeps credentials to their bucket, dir and region', async () => {
		const outside = await v4(env, {method: 'PUT', key: 'uploads/other/x.txt', body: 'x'});
		assert.equal(outside.status, 403);
		assert.equal(outside.code, 'AccessDenied');
		const otherBucket = env.sts.mint({bucket: 'another-bucket', dir: DIR, region: REGION}, 60_000);
		const wrongBucket = await v4(env, {method: 'PUT', key: `${DIR}x.txt`, body: 'x', creds: otherBucket});
		assert.equal(wrongBucket.code, 'AccessDenied');
		const shanghai = env.sts.mint({bucket: BUCKET, dir: DIR, region: 'cn-shanghai'}, 60_000);
		const wrongRegion = await v4(env, {method: 'PUT', key: `${DIR}x.txt`, body: 'x', creds: shanghai});
		assert.equal(wrongRegion.code, 'AccessDenied');
		assert.match(wrongRegion.text, /<Endpoint>oss-cn-shanghai.localhost<\/Endpoint>/);
		const scope = await v4(env, {method: 'PUT', key: `${DIR}x.txt`, body: 'x', region: 'cn-beijing'});
		assert.equal(scope.code, 'InvalidArgument');
		assert.match(scope.text, /signing region/);
	});

	it('answers RequestTimeTooSkewed with ServerTime for V4 and V1', async () => {
		const skewed = Date.now() - 20 * 60_000;
		for (const reply of [await v4(env, {method: 'GET', key: `${DIR}a`, at: skewed}), await v1(env, {method: 'GET', key: `${DIR}a`, at: skewed})]) {
			assert.equal(reply.status, 403);
			assert.equal(reply.code, 'RequestTimeTooSkewed');
			const serverTime = Date.parse(xmlValue(reply.text, 'ServerTime')!);
			assert.ok(Math.abs(serverTime - Date.now()) < 5000);
			assert.ok(xmlValue(reply.text, 'RequestTime'));
			assert.equal(xmlValue(reply.text, 'MaxAllowedSkewMilliseconds'), '900000');
		}
		const fine = await v4(env, {method: 'PUT', key: `${DIR}skew-ok.txt`, body: 'x', at: Date.now() - 14 * 60_000});
		assert.equal(fine.status, 200, fine.text);
	});

	it('checks Content-MD5 and the body length', async () => {
		const bad = await v4(env, {method: 'PUT', key: `${DIR}md5.txt`, body: 'abc', headers: {'Content-MD5': createHash('md5').update('abd').digest('base64')}});
		assert.equal(bad.status, 400);
		assert.equal(bad.code, 'BadDigest');
		const malformed = await v4(env, {method: 'PUT', key: `${DIR}md5.txt`, body: 'abc', headers: {'Content-MD5': 'nope'}});
		assert.equal(malformed.code, 'InvalidDigest');
		assert.equal(env.emulator.getObject(BUCKET, `${DIR}md5.txt`), undefined);
	});

	it('answers MissingContentLength for a PUT with neither Content-Length nor chunking', async () => {
		const headers = {'x-oss-date': isoBasic(Date.now()), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', 'x-oss-security-token': env.creds.securityToken};
		const authorization = signUtils.authorizationV4(env.creds.accessKeyId, env.creds.accessKeySecret, REGION, 'PUT', {headers, queries: {}}, BUCKET, `${DIR}nolen`);
		const raw = await new Promise<string>((resolve, reject) => {
			const socket = connect(env.port, '127.0.0.1', () => {
				socket.write(`PUT /${DIR}nolen HTTP/1.1\r\nHost: ${env.host}\r\n${Object.entries({...headers, authorization}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`);
			});
			let text = '';
			socket.on('data', c => (text += c.toString()));
			socket.on('end', () => resolve(text));
			socket.on('error', reject);
		});
		assert.match(raw, /^HTTP\/1.1 411/);
		assert.match(raw, /<Code>MissingContentLength<\/Code>/);
	});

	it('notices a body shorter than its Content-Length', async () => {
		const headers = {'x-oss-date': isoBasic(Date.now()), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', 'x-oss-security-token': env.creds.securityToken};
		const authorization = signUtils.authorizationV4(env.creds.accessKeyId, env.creds.accessKeySecret, REGION, 'PUT', {headers, queries: {}}, BUCKET, `${DIR}short`);
		env.emulator.clearLog();
		await new Promise<void>(resolve => {
			const socket = connect(env.port, '127.0.0.1', () => {
				socket.end(`PUT /${DIR}short HTTP/1.1\r\nHost: ${env.host}\r\nContent-Length: 100\r\n${Object.entries({...headers, authorization}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${'x'.repeat(50)}`);
			});
			socket.on('close', () => resolve());
			socket.on('error', () => resolve());
			socket.resume();
		});
		await new Promise(resolve => setTimeout(resolve, 20));
		const [entry] = env.emulator.log;
		assert.equal(entry!.code, 'IncompleteBody');
		assert.equal(entry!.bytes, 50);
		assert.equal(env.emulator.getObject(BUCKET, `${DIR}short`), undefined);
	});

	it('answers GET/HEAD with NoSuchKey, ranges and CRC-64', async () => {
		const missing = await v4(env, {method: 'GET', key: `${DIR}nope`});
		assert.equal(missing.status, 404);
		assert.equal(missing.code, 'NoSuchKey');
		const head = await v4(env, {method: 'HEAD', key: `${DIR}nope`});
		assert.equal(head.status, 404);
		assert.equal(head.body.length, 0);
		assert.ok(head.headers['x-oss-request-id']);
		const body = pattern(1000);
		await v4(env, {method: 'PUT', key: `${DIR}range.bin`, body});
		const range = await v4(env, {method: 'GET', key: `${DIR}range.bin`, headers: {Range: 'bytes=10-19'}});
		assert.equal(range.status, 206);
		assert.ok(range.body.equals(body.subarray(10, 20)));
		assert.equal(range.headers['content-range'], 'bytes 10-19/1000');
		assert.equal(range.headers['x-oss-hash-crc64ecma'], crc64(body));
		const tail = await v4(env, {method: 'GET', key: `${DIR}range.bin`, headers: {Range: 'bytes=-5'}});
		assert.ok(tail.body.equals(body.subarray(995)));
		const beyond = await v4(env, {method: 'GET', key: `${DIR}range.bin`, headers: {Range: 'bytes=5000-'}});
		assert.equal(beyond.status, 416);
		assert.equal(beyond.code, 'InvalidRange');
		const headOk = await v4(env, {method: 'HEAD', key: `${DIR}range.bin`});
		assert.equal(headOk.headers['content-length'], '1000');
		assert.equal(headOk.headers.etag, `"${md5Hex(body)}"`);
		assert.equal(headOk.headers['x-oss-hash-crc64ecma'], crc64(body));
		const del = await v4(env, {method: 'DELETE', key: `${DIR}range.bin`});
		assert.equal(del.status, 204);
		assert.equal(env.emulator.getObject(BUCKET, `${DIR}range.bin`), undefined);
	});
});

describe('OSS emulator: multipart', () => {
	let env: Env;
	before(async () => {
		env = await setup();
	});
	after(() => env.close());

	const initiate = async (key: string) => {
		const reply = await v4(env, {method: 'POST', key, query: {uploads: null}, headers: {'Content-Type': 'video/mp4'}});
		assert.equal(reply.status, 200, reply.text);
		assert.match(reply.text, /<InitiateMultipartUploadResult>/);
		return xmlValue(reply.text, 'UploadId')!;
	};
	const part = (key: string, uploadId: string, partNumber: number, body: Buffer) =>
		v4(env, {method: 'PUT', key, query: {partNumber: String(partNumber), uploadId}, body});
	const completeXml = (parts: Array<[number, string]>) =>
		`<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload>\n${parts.map(([n, e]) => `<Part>\n<PartNumber>${n}</PartNumber>\n<ETag>${e}</ETag>\n</Part>\n`).join('')}</CompleteMultipartUpload>`;
	const complete = (key: string, uploadId: string, parts: Array<[number, string]>) => {
		const body = completeXml(parts);
		return v4(env, {method: 'POST', key, query: {uploadId}, body, headers: {'Content-MD5': createHash('md5').update(body).digest('base64')}});
	};

	it('uploads, lists and completes with OSS-style ETag and CRC-64', async () => {
		const key = `${DIR}mp.bin`;
		const uploadId = await initiate(key);
		const bodies = [pattern(150 * 1024, 1), pattern(100 * 1024, 2), pattern(3000, 3)];
		const etags: Array<[number, string]> = [];
		for (const [i, body] of bodies.entries()) {
			const reply = await part(key, uploadId, i + 1, body);
			assert.equal(reply.status, 200, reply.text);
			assert.equal(reply.headers.etag, `"${md5Hex(body)}"`);
			assert.equal(reply.headers['x-oss-hash-crc64ecma'], crc64(body));
			etags.push([i + 1, reply.headers.etag as string]);
		}
		const done = await complete(key, uploadId, etags);
		assert.equal(done.status, 200, done.text);
		const whole = Buffer.concat(bodies);
		const expectedEtag = `"${createHash('md5').update(Buffer.concat(bodies.map(b => createHash('md5').update(b).digest()))).digest('hex').toUpperCase()}-3"`;
		assert.equal(done.headers.etag, expectedEtag);
		assert.equal(done.headers['x-oss-hash-crc64ecma'], crc64(whole));
		assert.match(done.text, /<CompleteMultipartUploadResult><Location>http:\/\/topsec-dev\.oss-cn-hangzhou\.localhost:\d+\/uploads\/t\/mp\.bin<\/Location><Bucket>topsec-dev<\/Bucket><Key>uploads\/t\/mp\.bin<\/Key><ETag>&quot;[0-9A-F]{32}-3&quot;<\/ETag>/);
		const stored = env.emulator.getObject(BUCKET, key)!;
		assert.ok(stored.body.equals(whole));
		assert.equal(stored.contentType, 'video/mp4');
		assert.equal(stored.crc64, crc64(whole));
		const again = await v4(env, {method: 'GET', key, query: {uploadId}});
		assert.equal(again.code, 'NoSuchUpload');
	});

	it('pages ListParts with max-parts and part-number-marker', async () => {
		const key = `${DIR}list.bin`;
		const uploadId = await initiate(key);
		for (const n of [1, 2, 3, 5, 8]) assert.equal((await part(key, uploadId, n, pattern(10, n))).status, 200);
		const first = await v4(env, {method: 'GET', key, query: {uploadId, 'max-parts': '2'}});
		assert.equal(first.status, 200, first.text);
		assert.deepEqual([...first.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => m[1]), ['1', '2']);
		assert.equal(xmlValue(first.text, 'IsTruncated'), 'true');
		assert.equal(xmlValue(first.text, 'NextPartNumberMarker'), '2');
		assert.match(first.text, /<Part><PartNumber>1<\/PartNumber><LastModified>[^<]+Z<\/LastModified><ETag>&quot;[0-9A-F]{32}&quot;<\/ETag><HashCrc64ecma>\d+<\/HashCrc64ecma><Size>10<\/Size><\/Part>/);
		const second = await v4(env, {method: 'GET', key, query: {uploadId, 'max-parts': '2', 'part-number-marker': '2'}});
		assert.deepEqual([...second.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => m[1]), ['3', '5']);
		const last = await v4(env, {method: 'GET', key, query: {uploadId, 'max-parts': '2', 'part-number-marker': '5'}});
		assert.deepEqual([...last.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => m[1]), ['8']);
		assert.equal(xmlValue(last.text, 'IsTruncated'), 'false');
		const bad = await v4(env, {method: 'GET', key, query: {uploadId, 'max-parts': '0'}});
		assert.equal(bad.code, 'InvalidArgument');
	});

	it('refuses bad orders, unknown parts, small parts and bad XML', async () => {
		const key = `${DIR}edge.bin`;
		const uploadId = await initiate(key);
		const small = await part(key, uploadId, 1, pattern(1000, 1));
		const big = await part(key, uploadId, 2, pattern(100 * 1024, 2));
		const e1 = small.headers.etag as string;
		const e2 = big.headers.etag as string;
		const order = await complete(key, uploadId, [[2, e2], [1, e1]]);
		assert.equal(order.status, 400);
		assert.equal(order.code, 'InvalidPartOrder');
		const duplicate = await complete(key, uploadId, [[1, e1], [1, e1]]);
		assert.equal(duplicate.code, 'InvalidPartOrder');
		const unknown = await complete(key, uploadId, [[1, e1], [3, e2]]);
		assert.equal(unknown.code, 'InvalidPart');
		const mismatch = await complete(key, uploadId, [[1, e2]]);
		assert.equal(mismatch.code, 'InvalidPart');
		const tooSmall = await complete(key, uploadId, [[1, e1], [2, e2]]);
		assert.equal(tooSmall.status, 400);
		assert.equal(tooSmall.code, 'EntityTooSmall');
		const malformed = await v4(env, {method: 'POST', key, query: {uploadId}, body: '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>'});
		assert.equal(malformed.code, 'MalformedXML');
		const zero = await part(key, uploadId, 0, pattern(10));
		assert.equal(zero.code, 'InvalidArgument');
		const tooHigh = await part(key, uploadId, 10_001, pattern(10));
		assert.equal(tooHigh.code, 'InvalidArgument');
		// The last part alone may be small.
		const lastOnly = await complete(key, uploadId, [[1, e1]]);
		assert.equal(lastOnly.status, 200, lastOnly.text);
	});

	it('answers NoSuchUpload for unknown, aborted or foreign upload ids', async () => {
		const key = `${DIR}abort.bin`;
		const bogus = await part(key, 'DEADBEEF', 1, pattern(10));
		assert.equal(bogus.status, 404);
		assert.equal(bogus.code, 'NoSuchUpload');
		const uploadId = await initiate(key);
		const foreign = await part(`${DIR}other-key.bin`, uploadId, 1, pattern(10));
		assert.equal(foreign.code, 'NoSuchUpload');
		const aborted = await v4(env, {method: 'DELETE', key, query: {uploadId}});
		assert.equal(aborted.status, 204);
		for (const reply of [
			await part(key, uploadId, 1, pattern(10)),
			await complete(key, uploadId, [[1, '"00"']]),
			await v4(env, {method: 'GET', key, query: {uploadId}}),
			await v4(env, {method: 'DELETE', key, query: {uploadId}}),
		]) {
			assert.equal(reply.status, 404);
			assert.equal(reply.code, 'NoSuchUpload');
		}
	});
});

/** Builds a multipart/form-data body; `after` fields come after the file (OSS ignores them). */
function form(fields: Array<[string, string]>, file: {filename: string; type?: string; data: Buffer}, after: Array<[string, string]> = []) {
	const boundary = `----topsec${Math.random().toString(16).slice(2)}`;
	const field = ([name, value]: [string, string]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
	const body = Buffer.concat([
		...fields.map(field),
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\n${file.type ? `Content-Type: ${file.type}\r\n` : ''}\r\n`),
		file.data,
		Buffer.from('\r\n'),
		...after.map(field),
		Buffer.from(`--${boundary}--\r\n`),
	]);
	return {body, contentType: `multipart/form-data; boundary=${boundary}`};
}

const v4SigningKey = (secret: string, date: string, region: string) => {
	let key: Buffer = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
	for (const part of [region, 'oss', 'aliyun_v4_request']) key = createHmac('sha256', key).update(part).digest();
	return key;
};

describe('OSS emulator: PostObject', () => {
	let env: Env;
	before(async () => {
		env = await setup();
	});
	after(() => env.close());

	type PolicyOptions = {prefix?: string; expiration?: string; conditions?: unknown[]; drop?: string[]; creds?: StsCredentials; status?: string; key?: string; date?: number};
	const v4Form = (options: PolicyOptions = {}) => {
		const creds = options.creds ?? env.creds;
		const dateTime = isoBasic(options.date ?? Date.now());
		const credential = `${creds.accessKeyId}/${dateTime.slice(0, 8)}/${REGION}/oss/aliyun_v4_request`;
		const signing = {'x-oss-signature-version': 'OSS4-HMAC-SHA256', 'x-oss-credential': credential, 'x-oss-date': dateTime};
		const conditions = options.conditions ?? [
			{bucket: BUCKET},
			['starts-with', '$key', options.prefix ?? DIR],
			['content-length-range', 1, 1024 * 1024],
			{'x-oss-security-token': creds.securityToken},
			...Object.entries(signing).filter(([name]) => !options.drop?.includes(name)).map(([name, value]) => ({[name]: value})),
		];
		const policy = Buffer.from(JSON.stringify({expiration: options.expiration ?? new Date(Date.now() + 600_000).toISOString(), conditions})).toString('base64');
		const signature = createHmac('sha256', v4SigningKey(creds.accessKeySecret, dateTime.slice(0, 8), REGION)).update(policy).digest('hex');
		const fields: Array<[string, string]> = [
			['key', options.key ?? `${DIR}post-v4.txt`],
			['policy', policy],
			...Object.entries(signing),
			['x-oss-signature', signature],
			['x-oss-security-token', creds.securityToken],
		];
		if (options.status) fields.push(['success_action_status', options.status]);
		return fields;
	};
	const post = (fields: Array<[string, string]>, data = Buffer.from('posted!'), after: Array<[string, string]> = []) => {
		const {body, contentType} = form(fields, {filename: 'a.txt', type: 'text/plain', data}, after);
		return send(env, 'POST', '/', {'Content-Type': contentType, 'Content-Length': String(body.length)}, body);
	};

	it('accepts a V4 form and answers 204 by default', async () => {
		const reply = await post(v4Form());
		assert.equal(reply.status, 204, reply.text);
		assert.equal(reply.headers.etag, `"${md5Hex(Buffer.from('posted!'))}"`);
		assert.equal(reply.headers['x-oss-hash-crc64ecma'], crc64(Buffer.from('posted!')));
		assert.equal(env.emulator.getObject(BUCKET, `${DIR}post-v4.txt`)?.body.toString(), 'posted!');
		assert.equal(env.emulator.getObject(BUCKET, `${DIR}post-v4.txt`)?.contentType, 'text/plain');
	});

	it('honours success_action_status 200 and 201', async () => {
		const ok = await post(v4Form({status: '200', conditions: undefined}));
		assert.equal(ok.status, 200);
		const created = await post(v4Form({status: '201', key: `${DIR}\${filename}`}));
		assert.equal(created.status, 201, created.text);
		assert.match(created.text, /<PostResponse><Bucket>topsec-dev<\/Bucket><Location>[^<]+<\/Location><Key>uploads\/t\/a\.txt<\/Key><ETag>/);
	});

	it('accepts a V1 form (OSSAccessKeyId + Signature)', async () => {
		const policy = Buffer.from(JSON.stringify({expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{bucket: BUCKET}, ['starts-with', '$key', DIR], ['eq', '$success_action_status', '201']]})).toString('base64');
		const signature = createHmac('sha1', env.creds.accessKeySecret).update(policy).digest('base64');
		const fields: Array<[string, string]> = [['key', `${DIR}post-v1.txt`], ['OSSAccessKeyId', env.creds.accessKeyId], ['policy', policy], ['Signature', signature], ['x-oss-security-token', env.creds.securityToken], ['success_action_status', '201']];
		const reply = await post(fields);
		assert.equal(reply.status, 201, reply.text);
		const wrong = await post(fields.map(([k, v]) => [k, k === 'Signature' ? createHmac('sha1', 'nope').update(policy).digest('base64') : v]));
		assert.equal(wrong.code, 'SignatureDoesNotMatch');
		const noStatus = await post(fields.filter(([k]) => k !== 'success_action_status'));
		assert.equal(noStatus.code, 'AccessDenied');
		assert.match(noStatus.text, /Policy Condition failed/);
	});

	it('enforces expiration, conditions and content-length-range', async () => {
		const expired = await post(v4Form({expiration: new Date(Date.now() - 1000).toISOString()}));
		assert.equal(expired.status, 403);
		assert.equal(expired.code, 'AccessDenied');
		assert.match(expired.text, /Policy expired/);
		const prefix = await post(v4Form({prefix: 'elsewhere/'}));
		assert.equal(prefix.code, 'AccessDenied');
		const big = await post(v4Form(), Buffer.alloc(1024 * 1024 + 1));
		assert.equal(big.code, 'EntityTooLarge');
		const empty = await post(v4Form(), Buffer.alloc(0));
		assert.equal(empty.code, 'EntityTooSmall');
		const wrongBucket = await post(v4Form({conditions: [{bucket: 'other'}]}));
		assert.equal(wrongBucket.code, 'AccessDenied');
	});

	it('requires the V4 signing fields in the policy', async () => {
		for (const name of ['x-oss-credential', 'x-oss-date', 'x-oss-signature-version']) {
			const reply = await post(v4Form({drop: [name]}));
			assert.equal(reply.code, 'InvalidPolicyDocument', name);
		}
	});

	it('checks the V4 signature, credentials and scope', async () => {
		const fields = v4Form();
		const tampered = await post(fields.map(([k, v]) => [k, k === 'x-oss-signature' ? '0'.repeat(64) : v]));
		assert.equal(tampered.code, 'SignatureDoesNotMatch');
		const outside = await post(v4Form({key: 'elsewhere/x.txt', prefix: 'elsewhere/'}));
		assert.equal(outside.code, 'AccessDenied');
		const noToken = await post(fields.filter(([k]) => k !== 'x-oss-security-token'));
		assert.equal(noToken.code, 'InvalidAccessKeyId');
		const anonymous = await post([['key', `${DIR}anon.txt`]]);
		assert.equal(anonymous.code, 'AccessDenied');
		const future = await post(v4Form({date: Date.now() + 30 * 60_000}));
		assert.equal(future.code, 'RequestTimeTooSkewed');
	});

	it('ignores fields after the file, as OSS does', async () => {
		const fields = v4Form();
		const policy = fields.filter(([k]) => k === 'policy');
		const reply = await post(fields.filter(([k]) => k !== 'policy'), Buffer.from('x'), policy);
		assert.equal(reply.code, 'InvalidArgument');
	});
});

describe('OSS emulator: CORS', () => {
	it('answers preflights and exposes headers on actual responses', async () => {
		const env = await setup();
		try {
			const pre = await send(env, 'OPTIONS', `/${DIR}x`, {Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-oss-date, authorization, content-type'});
			assert.equal(pre.status, 200);
			assert.equal(pre.headers['access-control-allow-origin'], '*');
			assert.equal(pre.headers['access-control-allow-methods'], 'GET, PUT, POST, DELETE, HEAD');
			assert.equal(pre.headers['access-control-allow-headers'], 'x-oss-date, authorization, content-type');
			assert.equal(pre.headers['access-control-expose-headers'], 'ETag, x-oss-request-id, x-oss-hash-crc64ecma, Date');
			assert.equal(pre.headers['access-control-max-age'], '600');
			const put = await v4(env, {method: 'PUT', key: `${DIR}cors.txt`, body: 'x', headers: {Origin: 'http://localhost:5173'}});
			assert.equal(put.headers['access-control-allow-origin'], '*');
			assert.equal(put.headers['access-control-expose-headers'], 'ETag, x-oss-request-id, x-oss-hash-crc64ecma, Date');
			const denied = await send(env, 'GET', `/${DIR}x`, {Origin: 'http://localhost:5173'});
			assert.equal(denied.headers['access-control-allow-origin'], '*', 'errors carry CORS headers too');
			assert.equal(env.emulator.log[0]!.method, 'OPTIONS');
			assert.equal(env.emulator.log[0]!.status, 200);
		} finally {
			await env.close();
		}
	});

	it('echoes listed origins and refuses others', async () => {
		const env = await setup({corsOrigins: ['https://shop.example']});
		try {
			const ok = await send(env, 'OPTIONS', '/x', {Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST'});
			assert.equal(ok.status, 200);
			assert.equal(ok.headers['access-control-allow-origin'], 'https://shop.example');
			assert.match(String(ok.headers.vary), /Origin/);
			const no = await send(env, 'OPTIONS', '/x', {Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST'});
			assert.equal(no.status, 403);
			assert.equal(no.code, 'AccessForbidden');
			assert.equal(no.headers['access-control-allow-origin'], undefined);
			const badMethod = await send(env, 'OPTIONS', '/x', {Origin: 'https://shop.example', 'Access-Control-Request-Method': 'PATCH'});
			assert.equal(badMethod.status, 403);
		} finally {
			await env.close();
		}
	});
});

describe('OSS emulator: faults and log', () => {
	it('answers an http fault once, then normally, and logs both', async () => {
		const env = await setup();
		try {
			env.emulator.inject({kind: 'http', status: 503});
			const first = await v4(env, {method: 'PUT', key: `${DIR}f.txt`, body: 'abc'});
			assert.equal(first.status, 503);
			assert.equal(first.code, 'ServiceUnavailable');
			const second = await v4(env, {method: 'PUT', key: `${DIR}f.txt`, body: 'abc'});
			assert.equal(second.status, 200);
			const [a, b] = env.emulator.log;
			assert.deepEqual({status: a!.status, code: a!.code, fault: a!.fault, bytes: a!.bytes, key: a!.key, bucket: a!.bucket}, {status: 503, code: 'ServiceUnavailable', fault: 'http', bytes: 3, key: `${DIR}f.txt`, bucket: BUCKET});
			assert.equal(b!.status, 200);
			assert.equal(b!.fault, undefined);
			assert.match(a!.requestId, /^[0-9A-F]{24}$/);
			env.emulator.clearLog();
			assert.equal(env.emulator.log.length, 0);
		} finally {
			await env.close();
		}
	});

	it('matches faults by method and UploadPart, and counts times', async () => {
		const env = await setup();
		try {
			env.emulator.inject({kind: 'http', status: 500, match: {partNumber: true}, times: 2});
			env.emulator.inject({kind: 'http', status: 500, match: {method: 'GET'}});
			assert.equal((await v4(env, {method: 'PUT', key: `${DIR}m.txt`, body: 'a'})).status, 200);
			const init = await v4(env, {method: 'POST', key: `${DIR}m.bin`, query: {uploads: null}});
			const uploadId = xmlValue(init.text, 'UploadId')!;
			const parts = [];
			for (let n = 1; n <= 3; n++) parts.push((await v4(env, {method: 'PUT', key: `${DIR}m.bin`, query: {partNumber: String(n), uploadId}, body: 'x'})).status);
			assert.deepEqual(parts, [500, 500, 200]);
			assert.equal((await v4(env, {method: 'GET', key: `${DIR}m.txt`})).code, 'InternalError');
			assert.equal((await v4(env, {method: 'GET', key: `${DIR}m.txt`})).status, 200);
			const logged = env.emulator.log.filter(e => e.query.partNumber).map(e => [e.query.partNumber, e.status]);
			assert.deepEqual(logged, [['1', 500], ['2', 500], ['3', 200]]);
			assert.equal(env.emulator.log.find(e => e.query.partNumber === '3')!.query.uploadId, uploadId);
		} finally {
			await env.close();
		}
	});

	it('repeats probabilistic faults for the same seed', async () => {
		const run = async () => {
			const env = await setup();
			try {
				env.emulator.inject({kind: 'http', status: 500, probability: 0.5, seed: 7});
				const statuses = [];
				for (let i = 0; i < 12; i++) statuses.push((await v4(env, {method: 'GET', key: `${DIR}p`})).status);
				return statuses;
			} finally {
				await env.close();
			}
		};
		const a = await run();
		assert.deepEqual(await run(), a);
		assert.ok(a.includes(500) && a.includes(404), String(a));
		assert.ok(a.every(s => s === 500 || s === 404));
	});

	it('delays a request', async () => {
		const env = await setup();
		try {
			env.emulator.inject({kind: 'delay', ms: 150});
			const started = Date.now();
			const reply = await v4(env, {method: 'PUT', key: `${DIR}d.txt`, body: 'x'});
			assert.equal(reply.status, 200);
			assert.ok(Date.now() - started >= 140);
			assert.equal(env.emulator.log[0]!.fault, 'delay');
		} finally {
			await env.close();
		}
	});

	it('drops the connection mid-body', async () => {
		const env = await setup();
		try {
			env.emulator.inject({kind: 'drop'});
			const body = pattern(2 * 1024 * 1024);
			await assert.rejects(v4(env, {method: 'PUT', key: `${DIR}drop.bin`, body}), /ECONNRESET|socket hang up|EPIPE/);
			const [entry] = env.emulator.log;
			assert.equal(entry!.fault, 'drop');
			assert.equal(entry!.status, 0);
			assert.ok(entry!.bytes > 0 && entry!.bytes < body.length, String(entry!.bytes));
			assert.equal(env.emulator.getObject(BUCKET, `${DIR}drop.bin`), undefined);
			assert.equal((await v4(env, {method: 'PUT', key: `${DIR}drop.bin`, body})).status, 200);
		} finally {
			await env.close();
		}
	});

	it('expires credentials: this and later requests see SecurityTokenExpired', async () => {
		let clock = Date.now();
		const env = await setup({}, () => clock);
		try {
			env.emulator.inject({kind: 'expire-credentials'});
			const first = await v4(env, {method: 'PUT', key: `${DIR}e.txt`, body: 'x'});
			assert.equal(first.status, 403);
			assert.equal(first.code, 'SecurityTokenExpired');
			assert.equal((await v4(env, {method: 'PUT', key: `${DIR}e.txt`, body: 'x'})).code, 'SecurityTokenExpired');
			clock += 1;
			const fresh = env.sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 60_000);
			assert.equal((await v4(env, {method: 'PUT', key: `${DIR}e.txt`, body: 'x', creds: fresh})).status, 200);
		} finally {
			await env.close();
		}
	});

	it('uses the injected clock for skew checks', async () => {
		const env = await setup({now: () => Date.now() + 3600_000});
		try {
			const reply = await v4(env, {method: 'GET', key: `${DIR}x`});
			assert.equal(reply.code, 'RequestTimeTooSkewed');
		} finally {
			await env.close();
		}
	});

	it('validates faults as they are injected', async () => {
		const env = await setup();
		try {
			assert.throws(() => env.emulator.inject({kind: 'http', status: 200}), TypeError);
			assert.throws(() => env.emulator.inject({kind: 'drop', probability: 2}), TypeError);
			env.emulator.inject({kind: 'http', status: 500});
			env.emulator.clearFaults();
			assert.equal((await v4(env, {method: 'GET', key: `${DIR}x`})).status, 404);
		} finally {
			await env.close();
		}
	});
});
