import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {canonicalString, isSignMethod, sendableParams, signTopParams, SIGN_METHODS, type SignMethod, type TopParams} from '../src/top/index.js';

type Vector = {name: string; params: TopParams; secret: string; signMethod: SignMethod; canonical: string; sign: string};

// Known answers computed once with node:crypto (see the file's `about`), never with src/top/digest.ts.
const {vectors} = JSON.parse(readFileSync(new URL('./vectors/top-sign.json', import.meta.url), 'utf8')) as {vectors: Vector[]};

test('the vector file covers every sign method, Chinese values and dropped empty/null values', () => {
	assert.deepEqual(new Set(vectors.map((vector) => vector.signMethod)), new Set(SIGN_METHODS));
	assert.ok(vectors.some((vector) => /[\u4e00-\u9fff]/.test(vector.canonical)));
	assert.ok(vectors.some((vector) => Object.values(vector.params).some((value) => value === null || value === '')));
	for (const vector of vectors) assert.match(vector.sign, /^[0-9A-F]+$/);
});

for (const vector of vectors) {
	test(`vector: ${vector.name}`, async () => {
		assert.equal(canonicalString(vector.params), vector.canonical);
		assert.equal(await signTopParams(vector.params, vector.secret, vector.signMethod), vector.sign);
		assert.equal(vector.sign.length, vector.signMethod === 'hmac-sha256' ? 64 : 32);
	});
}

test('sendableParams: drops sign, undefined, null and empty; stringifies; sorts by code unit', () => {
	assert.deepEqual(sendableParams({b: 1, a: 'x', sign: 'S', u: undefined, n: null, e: '', B: true, _: 0}), [
		['B', 'true'],
		['_', '0'],
		['a', 'x'],
		['b', '1'],
	]);
});

test('canonical string of an empty param set is empty', () => {
	assert.equal(canonicalString({}), '');
	assert.equal(canonicalString({a: '', b: null}), '');
});

test('an unknown sign method is a TypeError', async () => {
	await assert.rejects(signTopParams({a: '1'}, 's', 'sha1' as SignMethod), TypeError);
	assert.equal(isSignMethod('hmac'), true);
	assert.equal(isSignMethod('HMAC'), false);
	assert.equal(isSignMethod(undefined), false);
});

test('hmac-sha256 with alternating and concurrent secrets: the cached key never signs for another secret', async () => {
	const {createHmac} = await import('node:crypto');
	const params: TopParams = {method: 'taobao.top.sec.token.get', app_key: '1', v: '2.0', open_id: 'o1'};
	const expected = (secret: string) => createHmac('sha256', secret).update(canonicalString(params)).digest('hex').toUpperCase();
	const secrets = ['secret-a', 'secret-b', 'secret-a', '秘密', 'secret-b'];
	for (const secret of secrets) assert.equal(await signTopParams(params, secret, 'hmac-sha256'), expected(secret));
	const together = await Promise.all(secrets.map((secret) => signTopParams(params, secret, 'hmac-sha256')));
	assert.deepEqual(together, secrets.map(expected));
	// An unusable key (Web Crypto refuses an empty HMAC key) fails each time and is not kept.
	await assert.rejects(signTopParams(params, '', 'hmac-sha256'));
	await assert.rejects(signTopParams(params, '', 'hmac-sha256'));
	assert.equal(await signTopParams(params, 'secret-a', 'hmac-sha256'), expected('secret-a'));
});
