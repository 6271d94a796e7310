/**
Cross-check: the official `ali-oss` SDK (Node build) talks to the OSS emulator with emulator-minted STS credentials,
V4 and V1. If the emulator's idea of OSS drifted from the real service's, this is where it shows.

Name resolution: Node's resolver (glibc) does not map `*.localhost` to loopback, so the client gets an http.Agent
whose `lookup` answers 127.0.0.1 for every name (urllib hands the agent's options to net.connect). The Host header
stays `<bucket>.oss-cn-hangzhou.localhost:<port>`, exactly what a browser would send.
*/
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {Agent, request, type AgentOptions} from 'node:http';
import {after, before, describe, it} from 'node:test';
import OSS from 'ali-oss';
import {createStsIssuer, type StsCredentials, type StsIssuer} from '../src/emulator/sts.js';
import {createOssEmulator, crc64, listenOssEmulator, type OssEmulator} from '../src/emulator/oss/index.js';

const BUCKET = 'topsec-dev';
const REGION = 'cn-hangzhou';
const DIR = 'uploads/t/';

type Lookup = NonNullable<AgentOptions['lookup']>;
const loopback = ((_host: string, options: {all?: boolean}, callback: (...args: unknown[]) => void) => {
	if (options?.all) callback(null, [{address: '127.0.0.1', family: 4}]);
	else callback(null, '127.0.0.1', 4);
}) as unknown as Lookup;
const agent = new Agent({keepAlive: true, lookup: loopback});

type OssError = Error & {code?: string; status?: number; ecCode?: string; requestId?: string};

let clock = Date.now();
let sts: StsIssuer;
let emulator: OssEmulator;
let endpoint: string;
let port: number;
let close: () => Promise<void>;
let creds: StsCredentials;

before(async () => {
	sts = createStsIssuer({now: () => clock});
	emulator = createOssEmulator({sts});
	({endpoint, port, close} = await listenOssEmulator(emulator));
	creds = sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 3600_000);
});
after(async () => {
	await close();
	agent.destroy();
});

function client(v4: boolean, overrides: Partial<Record<string, unknown>> = {}) {
	const c = {accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, stsToken: creds.securityToken, ...overrides};
	return new OSS({
		region: 'oss-cn-hangzhou',
		bucket: BUCKET,
		endpoint,
		cname: false,
		secure: false,
		authorizationV4: v4,
		agent,
		// Given only to silence ali-oss's warning; the interval is longer than any test.
		refreshSTSToken: async () => ({accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.stsToken}),
		refreshSTSTokenInterval: 3600_000,
		...c,
	} as ConstructorParameters<typeof OSS>[0]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const pattern = (size: number, seed = 1) => {
	const data = Buffer.alloc(size);
	for (let i = 0; i < size; i++) data[i] = (i * 131 + seed * 17 + (i >> 11)) % 256;
	return data;
};
const caught = async (promise: Promise<unknown>): Promise<OssError> => {
	try {
		await promise;
	} catch (error) {
		return error as OssError;
	}
	assert.fail('expected the call to fail');
};

for (const v4 of [true, false]) {
	const label = v4 ? 'V4' : 'V1';
	describe(`ali-oss ${label} against the emulator`, () => {
		it('put, head and get round-trip the bytes', async () => {
			const oss = client(v4);
			const data = pattern(200_000, v4 ? 1 : 2);
			const key = `${DIR}${label}/put me (1)+ü.bin`;
			const put = await oss.put(key, data);
			assert.equal(put.res.status, 200);
			const stored = emulator.getObject(BUCKET, key)!;
			assert.equal(sha256(stored.body), sha256(data));
			assert.equal(put.res.headers.etag, stored.etag);
			assert.equal(put.res.headers['x-oss-hash-crc64ecma'], crc64(data));
			const head = await oss.head(key);
			assert.equal(head.res.headers['content-length'], String(data.length));
			const got = await oss.get(key);
			assert.equal(sha256(got.content as Buffer), sha256(data));
			assert.equal(got.res.headers['x-oss-hash-crc64ecma'], crc64(data));
		});

		for (const partSize of [100 * 1024, 1024 * 1024]) {
			it(`multipartUpload 3 MB, parts of ${partSize / 1024} KB, parallel 3`, async () => {
				const oss = client(v4);
				const data = pattern(3 * 1024 * 1024 + 123, partSize);
				const key = `${DIR}${label}/multi-${partSize}.bin`;
				emulator.clearLog();
				const result = await oss.multipartUpload(key, data, {partSize, parallel: 3});
				const parts = Math.ceil(data.length / partSize);
				assert.match(String(result.etag), new RegExp(`^"[0-9A-F]{32}-${parts}"$`));
				const stored = emulator.getObject(BUCKET, key)!;
				assert.equal(stored.etag, result.etag);
				assert.equal(stored.crc64, crc64(data));
				const got = await oss.get(key);
				assert.equal(sha256(got.content as Buffer), sha256(data));
				const uploads = emulator.log.filter(e => e.query.partNumber);
				assert.equal(uploads.length, parts);
				assert.ok(uploads.every(e => e.status === 200));
			});
		}

		it('a wrong secret gets SignatureDoesNotMatch', async () => {
			const error = await caught(client(v4, {accessKeySecret: 'wrong-secret'}).put(`${DIR}x.txt`, Buffer.from('x')));
			assert.equal(error.status, 403);
			assert.equal(error.code, 'SignatureDoesNotMatch');
			assert.ok(error.requestId);
			assert.ok(error.ecCode);
		});

		it('expired credentials get SecurityTokenExpired', async () => {
			const shortLived = sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 1000);
			const oss = client(v4, {accessKeyId: shortLived.accessKeyId, accessKeySecret: shortLived.accessKeySecret, stsToken: shortLived.securityToken});
			await oss.put(`${DIR}${label}/short.txt`, Buffer.from('ok'));
			clock += 2000;
			try {
				const error = await caught(oss.put(`${DIR}${label}/short.txt`, Buffer.from('late')));
				assert.equal(error.status, 403);
				assert.equal(error.code, 'SecurityTokenExpired');
			} finally {
				clock -= 2000;
			}
		});

		it('a key outside the credentials\' dir gets AccessDenied', async () => {
			const error = await caught(client(v4).put('uploads/someone-else/x.txt', Buffer.from('x')));
			assert.equal(error.status, 403);
			assert.equal(error.code, 'AccessDenied');
		});

		it('another bucket gets AccessDenied', async () => {
			const oss = client(v4);
			oss.useBucket('other-bucket');
			const error = await caught(oss.put(`${DIR}x.txt`, Buffer.from('x')));
			assert.equal(error.code, 'AccessDenied');
		});

		it('a skewed clock gets RequestTimeTooSkewed', async () => {
			const error = await caught(client(v4, {amendTimeSkewed: -20 * 60_000}).put(`${DIR}x.txt`, Buffer.from('x')));
			assert.equal(error.status, 403);
			assert.equal(error.code, 'RequestTimeTooSkewed');
		});

		it('a missing key gets NoSuchKey, on GET and on HEAD (x-oss-err)', async () => {
			const oss = client(v4);
			const get = await caught(oss.get(`${DIR}missing.bin`));
			assert.equal(get.code, 'NoSuchKey');
			assert.equal(get.status, 404);
			const head = await caught(oss.head(`${DIR}missing.bin`));
			assert.equal(head.code, 'NoSuchKey');
			assert.ok(head.requestId, 'the error document came through x-oss-err');
		});

		it('lists parts page by page, aborts, then answers NoSuchUpload', async () => {
			const oss = client(v4);
			const key = `${DIR}${label}/manual.bin`;
			const {uploadId} = await oss.initMultipartUpload(key);
			for (let n = 1; n <= 5; n++) await oss.uploadPart(key, uploadId, n, pattern(100 * 1024, n), 0, 100 * 1024);
			const first = await oss.listParts(key, uploadId, {'max-parts': 2});
			assert.deepEqual(first.parts.map((p: {PartNumber: string}) => p.PartNumber), ['1', '2']);
			assert.equal(String(first.isTruncated), 'true'); // ali-oss passes the XML text through
			assert.equal(first.nextPartNumberMarker, '2');
			const second = await oss.listParts(key, uploadId, {'max-parts': 2, 'part-number-marker': first.nextPartNumberMarker});
			assert.deepEqual(second.parts.map((p: {PartNumber: string}) => p.PartNumber), ['3', '4']);
			await oss.abortMultipartUpload(key, uploadId);
			const error = await caught(oss.listParts(key, uploadId, {}));
			assert.equal(error.status, 404);
			assert.equal(error.code, 'NoSuchUpload');
		});

		it('completing with small or unknown parts fails like OSS', async () => {
			// ali-oss sorts and de-duplicates the part list itself, so InvalidPartOrder is tested with hand-built requests.
			const oss = client(v4);
			const key = `${DIR}${label}/complete.bin`;
			const {uploadId} = await oss.initMultipartUpload(key);
			const a = await oss.uploadPart(key, uploadId, 1, pattern(1000, 1), 0, 1000);
			const b = await oss.uploadPart(key, uploadId, 2, pattern(1000, 2), 0, 1000);
			const small = await caught(oss.completeMultipartUpload(key, uploadId, [{number: 1, etag: a.etag}, {number: 2, etag: b.etag}]));
			assert.equal(small.code, 'EntityTooSmall');
			const unknown = await caught(oss.completeMultipartUpload(key, uploadId, [{number: 1, etag: b.etag}]));
			assert.equal(unknown.code, 'InvalidPart');
		});
	});
}

describe('ali-oss with injected faults', () => {
	it('503 once: the client sees ServiceUnavailable, the retry succeeds', async () => {
		const oss = client(true);
		emulator.inject({kind: 'http', status: 503});
		const error = await caught(oss.put(`${DIR}faults/503.txt`, Buffer.from('x')));
		assert.equal(error.status, 503);
		assert.equal(error.code, 'ServiceUnavailable');
		assert.equal((await oss.put(`${DIR}faults/503.txt`, Buffer.from('x'))).res.status, 200);
	});

	it('drop mid-body: the client sees a network error', async () => {
		const oss = client(true);
		emulator.clearLog();
		emulator.inject({kind: 'drop'});
		const error = await caught(oss.put(`${DIR}faults/drop.bin`, pattern(2 * 1024 * 1024)));
		assert.ok(error.status === -1 || /socket|ECONNRESET|EPIPE/i.test(String(error.code) + error.message), `${error.code} ${error.message}`);
		assert.equal(emulator.log[0]!.fault, 'drop');
		assert.equal(emulator.getObject(BUCKET, `${DIR}faults/drop.bin`), undefined);
	});

	it('expire-credentials: SecurityTokenExpired from then on, fresh credentials work', async () => {
		const mine = sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 3600_000);
		const oss = client(false, {accessKeyId: mine.accessKeyId, accessKeySecret: mine.accessKeySecret, stsToken: mine.securityToken});
		emulator.inject({kind: 'expire-credentials'});
		assert.equal((await caught(oss.put(`${DIR}faults/exp.txt`, Buffer.from('x')))).code, 'SecurityTokenExpired');
		assert.equal((await caught(oss.put(`${DIR}faults/exp.txt`, Buffer.from('x')))).code, 'SecurityTokenExpired');
		clock += 1;
		creds = sts.mint({bucket: BUCKET, dir: DIR, region: REGION}, 3600_000);
		assert.equal((await client(false).put(`${DIR}faults/exp.txt`, Buffer.from('x'))).res.status, 200);
	});

	it('a part dropped mid-upload: resuming from the checkpoint sends only the missing parts', async () => {
		const oss = client(true);
		const key = `${DIR}faults/resume.bin`;
		const data = pattern(7 * 100 * 1024, 9);
		let checkpoint: OSS.Checkpoint | undefined;
		emulator.clearLog();
		const error = await caught(oss.multipartUpload(key, data, {
			partSize: 100 * 1024,
			parallel: 1,
			progress: async (_p, cp) => {
				checkpoint = cp;
				if (cp.doneParts.length === 4) emulator.inject({kind: 'drop', match: {partNumber: true}});
			},
		}));
		assert.ok(error.status === -1 || /socket|ECONNRESET|EPIPE/i.test(String(error.code) + error.message), `${error.code} ${error.message}`);
		const before = emulator.log.filter(e => e.query.partNumber).map(e => [e.query.partNumber, e.status]);
		assert.deepEqual(before, [['1', 200], ['2', 200], ['3', 200], ['4', 200], ['5', 0]]);
		emulator.clearLog();
		const result = await oss.multipartUpload(key, data, {checkpoint, parallel: 1});
		assert.deepEqual(emulator.log.filter(e => e.query.partNumber).map(e => e.query.partNumber), ['5', '6', '7']);
		assert.equal(emulator.getObject(BUCKET, key)!.etag, result.etag);
		assert.equal(sha256(emulator.getObject(BUCKET, key)!.body), sha256(data));
	});
});

describe('PostObject signed by ali-oss', () => {
	const post = (fields: Array<[string, string]>, data: Buffer) => {
		const boundary = `----alioss${Date.now()}`;
		const body = Buffer.concat([
			...fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
			data,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		return new Promise<{status: number; text: string; etag: string | undefined}>((resolve, reject) => {
			const req = request({host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: {
				Host: `${BUCKET}.oss-${REGION}.localhost:${port}`,
				'Content-Type': `multipart/form-data; boundary=${boundary}`,
				'Content-Length': body.length,
			}}, res => {
				let text = '';
				res.on('data', c => (text += c));
				res.on('end', () => resolve({status: res.statusCode ?? 0, text, etag: res.headers.etag}));
			});
			req.on('error', reject);
			req.end(body);
		});
	};

	it('V1: calculatePostSignature', async () => {
		const oss = client(false);
		const policy = {expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{bucket: BUCKET}, ['starts-with', '$key', DIR], ['content-length-range', 1, 1024]]};
		const signed = oss.calculatePostSignature(policy);
		const fields: Array<[string, string]> = [['key', `${DIR}post/v1.bin`], ['OSSAccessKeyId', signed.OSSAccessKeyId], ['policy', signed.policy], ['Signature', signed.Signature], ['x-oss-security-token', creds.securityToken]];
		const ok = await post(fields, pattern(500));
		assert.equal(ok.status, 204, ok.text);
		assert.equal(emulator.getObject(BUCKET, `${DIR}post/v1.bin`)?.etag, ok.etag);
		const tooBig = await post(fields, pattern(2000));
		assert.match(tooBig.text, /<Code>EntityTooLarge<\/Code>/);
	});

	it('V4: signPostObjectPolicyV4, as in ali-oss\'s README', async () => {
		const oss = client(true);
		const date = new Date();
		const dateTime = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
		const credential = `${creds.accessKeyId}/${dateTime.slice(0, 8)}/${REGION}/oss/aliyun_v4_request`;
		const policy = {
			expiration: new Date(Date.now() + 60_000).toISOString(),
			conditions: [
				{bucket: BUCKET},
				{'x-oss-credential': credential},
				{'x-oss-date': dateTime},
				{'x-oss-signature-version': 'OSS4-HMAC-SHA256'},
				['content-length-range', 1, 10_000],
				['eq', '$success_action_status', '200'],
				['starts-with', '$key', DIR],
				['in', '$content-type', ['image/jpg', 'text/plain']],
				{'x-oss-security-token': creds.securityToken},
			],
		};
		const signature = oss.signPostObjectPolicyV4(policy, date);
		const fields: Array<[string, string]> = [
			['key', `${DIR}post/v4.txt`],
			['Content-Type', 'text/plain'],
			['x-oss-date', dateTime],
			['x-oss-credential', credential],
			['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
			['x-oss-security-token', creds.securityToken],
			['policy', Buffer.from(JSON.stringify(policy)).toString('base64')],
			['x-oss-signature', signature],
			['success_action_status', '200'],
		];
		const ok = await post(fields, Buffer.from('hello form'));
		assert.equal(ok.status, 200, ok.text);
		assert.equal(emulator.getObject(BUCKET, `${DIR}post/v4.txt`)?.body.toString(), 'hello form');
		assert.equal(emulator.getObject(BUCKET, `${DIR}post/v4.txt`)?.contentType, 'text/plain');
		const wrongType = await post(fields.map(([k, v]) => [k, k === 'Content-Type' ? 'image/png' : v]), Buffer.from('x'));
		assert.match(wrongType.text, /<Code>AccessDenied<\/Code>/);
	});
});

describe('the request log', () => {
	it('records method, key, query, status, code and bytes of every request', async () => {
		const oss = client(true);
		emulator.clearLog();
		await oss.put(`${DIR}log/a.txt`, Buffer.from('12345'));
		await caught(oss.get(`${DIR}log/missing.txt`));
		const [put, get] = emulator.log;
		assert.deepEqual({method: put!.method, bucket: put!.bucket, key: put!.key, status: put!.status, bytes: put!.bytes}, {method: 'PUT', bucket: BUCKET, key: `${DIR}log/a.txt`, status: 200, bytes: 5});
		assert.deepEqual({method: get!.method, status: get!.status, code: get!.code}, {method: 'GET', status: 404, code: 'NoSuchKey'});
		assert.ok(put!.at <= get!.at);
	});
});
