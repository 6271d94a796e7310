import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {objectUrl, ossOrigin, regionFromEndpoint} from '../src/oss/endpoint.js';
import {assertKeyInDir, defaultObjectKey, randomId, safeFileName} from '../src/oss/key.js';

describe('safeFileName', () => {
	it('strips paths, controls and odd characters; keeps Unicode letters', () => {
		assert.equal(safeFileName('C:\\Users\\me\\My Photo (1).JPG'), 'My-Photo-1.JPG');
		assert.equal(safeFileName('../../etc/passwd'), 'passwd');
		assert.equal(safeFileName('报告 2024.pdf'), '报告-2024.pdf');
		assert.equal(safeFileName('naïve\u0000\u200b café.txt'), 'naïve-café.txt');
		assert.equal(safeFileName('a   b\t\nc#%+&.png'), 'a-b-c.png');
		assert.equal(safeFileName('.env'), 'env');
		assert.equal(safeFileName('under_score-dash.tar.gz'), 'under_score-dash.tar.gz');
	});
	it('is never empty', () => {
		for (const name of ['', '...', '///', '\u0000', '***', ' ']) assert.equal(safeFileName(name), 'file');
	});
	it('caps at 120 characters keeping the extension, without splitting surrogate pairs', () => {
		const long = safeFileName('x'.repeat(300) + '.jpeg');
		assert.equal(long.length, 120);
		assert.ok(long.endsWith('.jpeg'));
		const emoji = safeFileName('😀'.repeat(200));
		assert.equal(emoji, 'file'); // emoji are not letters
		const han = safeFileName('文'.repeat(200) + '.txt');
		assert.equal([...han].length, 120);
		assert.ok(han.endsWith('文.txt'));
	});
});

describe('defaultObjectKey', () => {
	it('builds <dir><yyyy-mm-dd>/<random>-<safe name>', () => {
		assert.equal(defaultObjectKey('uploads/m1/', 'My Photo.png', Date.UTC(2024, 0, 2, 23, 59), 'abc123xyz0'), 'uploads/m1/2024-01-02/abc123xyz0-My-Photo.png');
		assert.equal(defaultObjectKey('uploads/m1', 'a.png', Date.UTC(2024, 0, 2), 'r'), 'uploads/m1/2024-01-02/r-a.png');
		assert.equal(defaultObjectKey('', 'a.png', Date.UTC(2024, 0, 2), 'r'), '2024-01-02/r-a.png');
	});
	it('random part is base36, 10 chars by default, and differs between calls', () => {
		const key = defaultObjectKey('d/', 'a', 0);
		assert.match(key, /^d\/1970-01-01\/[\da-z]{10}-a$/);
		assert.notEqual(randomId(), randomId());
		assert.match(randomId(12), /^[\da-z]{12}$/);
		assert.doesNotThrow(() => assertKeyInDir(key, 'd/'));
	});
});

describe('assertKeyInDir', () => {
	const dir = 'uploads/m1/';
	it('accepts keys inside the dir', () => {
		assert.doesNotThrow(() => assertKeyInDir('uploads/m1/a.png', dir));
		assert.doesNotThrow(() => assertKeyInDir('uploads/m1/2024/x y+z.png', dir));
		assert.doesNotThrow(() => assertKeyInDir('any/key', ''));
		assert.doesNotThrow(() => assertKeyInDir('uploads/m1/', dir, 'keyPrefix'));
		assert.doesNotThrow(() => assertKeyInDir('uploads/m1/img-', dir, 'keyPrefix'));
		assert.doesNotThrow(() => assertKeyInDir('', '', 'keyPrefix'));
	});
	it('refuses keys outside the dir, naming the field', () => {
		assert.throws(() => assertKeyInDir('uploads/m2/a.png', dir), {name: 'TypeError', message: '`key` must start with the credentials\' dir "uploads/m1/"'});
		assert.throws(() => assertKeyInDir('uploads/', dir, 'keyPrefix'), {message: /^`keyPrefix` must start/});
	});
	it('refuses unsafe shapes', () => {
		const cases: Array<[string, RegExp]> = [
			['uploads/m1/../m2/a', /"\." or "\.\." segments/],
			['uploads/m1/./a', /"\." or "\.\." segments/],
			['uploads/m1/a//b', /empty segments/],
			['uploads/m1/dir/', /empty segments/],
			['uploads/m1/a\u0000b', /control characters/],
			['uploads/m1/' + '文'.repeat(400), /1023 bytes/],
		];
		for (const [key, message] of cases) assert.throws(() => assertKeyInDir(key, dir), {name: 'TypeError', message}, key);
		assert.throws(() => assertKeyInDir('/a', ''), /must not start with "\/"/);
		assert.throws(() => assertKeyInDir('', ''), /must not be empty/);
		assert.throws(() => assertKeyInDir('uploads/m1//', dir, 'keyPrefix'), /empty segments/);
		assert.throws(() => assertKeyInDir(undefined as unknown as string, dir), TypeError);
	});
});

describe('endpoint', () => {
	it('ossOrigin: https by default, scheme and port kept', () => {
		assert.equal(ossOrigin({bucket: 'photos', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}), 'https://photos.oss-cn-hangzhou.aliyuncs.com');
		assert.equal(ossOrigin({bucket: 'topsec-dev', endpoint: 'http://oss-cn-hangzhou.localhost:8787'}), 'http://topsec-dev.oss-cn-hangzhou.localhost:8787');
		assert.equal(ossOrigin({bucket: 'b-1', endpoint: 'https://oss-cn-beijing.aliyuncs.com/'}), 'https://b-1.oss-cn-beijing.aliyuncs.com');
		assert.equal(ossOrigin({bucket: 'b-1', endpoint: 'oss-cn-beijing.aliyuncs.com/'}), 'https://b-1.oss-cn-beijing.aliyuncs.com');
	});
	it('ossOrigin: TypeError on a bad bucket or empty endpoint', () => {
		assert.throws(() => ossOrigin({bucket: 'Bad_Bucket', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}), {name: 'TypeError', message: /`bucket`/});
		assert.throws(() => ossOrigin({bucket: 'ok-bucket', endpoint: ''}), {name: 'TypeError', message: /`endpoint`/});
	});
	it('regionFromEndpoint', () => {
		assert.equal(regionFromEndpoint('oss-cn-hangzhou.aliyuncs.com'), 'cn-hangzhou');
		assert.equal(regionFromEndpoint('oss-cn-hangzhou-internal.aliyuncs.com'), 'cn-hangzhou');
		assert.equal(regionFromEndpoint('https://oss-ap-southeast-1.aliyuncs.com:443/'), 'ap-southeast-1');
		assert.equal(regionFromEndpoint('http://oss-cn-hangzhou.localhost:8787'), 'cn-hangzhou');
		assert.equal(regionFromEndpoint('bucket.oss-us-west-1.aliyuncs.com'), 'us-west-1');
		assert.equal(regionFromEndpoint('oss-accelerate.aliyuncs.com'), undefined);
		assert.equal(regionFromEndpoint('cdn.example.com'), undefined);
	});
	it('objectUrl encodes each segment, keeps /', () => {
		assert.equal(
			objectUrl({bucket: 'photos', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}, "uploads/a b+c~%(1)!'*/报告.png"),
			'https://photos.oss-cn-hangzhou.aliyuncs.com/uploads/a%20b%2Bc~%25%281%29%21%27%2A/%E6%8A%A5%E5%91%8A.png',
		);
		// The URL parser keeps the path as written, so the signed canonical URI is what is sent.
		const url = new URL(objectUrl({bucket: 'photos', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}, "a (1)!'*.png"));
		assert.equal(url.pathname, '/a%20%281%29%21%27%2A.png');
	});
});
