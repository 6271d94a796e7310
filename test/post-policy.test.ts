import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import post from './vectors/oss-post.json' with {type: 'json'};
import {createPostPolicy, type PostPolicyOptions} from '../src/oss/post-policy.js';
import type {OssCredentials} from '../src/oss/types.js';

const decodePolicy = (policy: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(policy), (c) => c.charCodeAt(0))));

describe(`PostObject vectors signed by ali-oss ${post.aliOss}`, () => {
	for (const vector of post.vectors as unknown as Array<{name: string; credentials: OssCredentials; options: PostPolicyOptions; policyDocument: unknown; url: string; fields: Record<string, string>; expiresAt: number}>) {
		it(vector.name, async () => {
			const result = await createPostPolicy(vector.credentials, vector.options);
			assert.deepEqual(decodePolicy(result.fields.policy!), vector.policyDocument);
			assert.equal(result.url, vector.url);
			assert.equal(result.expiresAt, vector.expiresAt);
			assert.deepEqual(Object.keys(result.fields), Object.keys(vector.fields), 'field order');
			assert.deepEqual(result.fields, vector.fields);
		});
	}
});

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const CREDS: OssCredentials = {
	accessKeyId: 'STS.id',
	accessKeySecret: 'secret',
	securityToken: 'token',
	bucket: 'topsec-dev',
	endpoint: 'oss-cn-hangzhou.aliyuncs.com',
	region: 'cn-hangzhou',
	dir: 'uploads/m1/',
	expiresAt: NOW + 3600_000,
};

describe('createPostPolicy', () => {
	it('defaults: v4, 15 minutes, 0..100 MiB, status 200, file field not included', async () => {
		const {url, fields, expiresAt} = await createPostPolicy(CREDS, {keyPrefix: 'uploads/m1/', now: NOW});
		assert.equal(url, 'https://topsec-dev.oss-cn-hangzhou.aliyuncs.com/');
		assert.equal(expiresAt, NOW + 15 * 60_000);
		assert.equal(fields.key, 'uploads/m1/${filename}');
		assert.equal(fields['x-oss-signature-version'], 'OSS4-HMAC-SHA256');
		assert.equal(fields['x-oss-credential'], 'STS.id/20240102/cn-hangzhou/oss/aliyun_v4_request');
		assert.equal(fields['x-oss-date'], '20240102T030405Z');
		assert.match(fields['x-oss-signature']!, /^[\da-f]{64}$/);
		assert.equal(fields.file, undefined);
		const policy = decodePolicy(fields.policy!);
		assert.equal(policy.expiration, '2024-01-02T03:19:05.000Z');
		assert.deepEqual(policy.conditions[2], ['content-length-range', 0, 100 * 1024 * 1024]);
		// Every signing field the policy names equals the form field (OSS checks it).
		for (const condition of policy.conditions) {
			if (!Array.isArray(condition)) for (const [name, value] of Object.entries(condition)) if (name in fields) assert.equal(fields[name], value, name);
		}
	});
	it('caps the expiry at the credentials and refuses expired credentials', async () => {
		assert.equal((await createPostPolicy({...CREDS, expiresAt: NOW + 5000}, {keyPrefix: 'uploads/m1/', now: NOW})).expiresAt, NOW + 5000);
		await assert.rejects(createPostPolicy({...CREDS, expiresAt: NOW}, {keyPrefix: 'uploads/m1/', now: NOW}), {name: 'TypeError', message: /expired/});
	});
	it('rejects keys outside the dir, naming the field', async () => {
		await assert.rejects(createPostPolicy(CREDS, {key: 'other/a.png', now: NOW}), {name: 'TypeError', message: /^`key` must start with the credentials' dir "uploads\/m1\/"/});
		await assert.rejects(createPostPolicy(CREDS, {keyPrefix: 'uploads/', now: NOW}), {name: 'TypeError', message: /^`keyPrefix`/});
		await assert.rejects(createPostPolicy(CREDS, {key: 'uploads/m1/../m2/a', now: NOW}), {message: /\.\./});
		await assert.rejects(createPostPolicy(CREDS, {now: NOW}), {message: /exactly one of `key` and `keyPrefix`/});
		await assert.rejects(createPostPolicy(CREDS, {key: 'uploads/m1/a', keyPrefix: 'uploads/m1/', now: NOW}), TypeError);
	});
	it('validates sizes, status, expiry and version', async () => {
		const base = {keyPrefix: 'uploads/m1/', now: NOW};
		await assert.rejects(createPostPolicy(CREDS, {...base, maxSize: 6 * 1024 ** 3}), {message: /`maxSize`/});
		await assert.rejects(createPostPolicy(CREDS, {...base, minSize: 10, maxSize: 5}), {message: /`maxSize`/});
		await assert.rejects(createPostPolicy(CREDS, {...base, minSize: -1}), {message: /`minSize`/});
		await assert.rejects(createPostPolicy(CREDS, {...base, expiresInMs: 0}), {message: /`expiresInMs`/});
		await assert.rejects(createPostPolicy(CREDS, {...base, successActionStatus: 302 as 200}), {message: /`successActionStatus`/});
		await assert.rejects(createPostPolicy(CREDS, {...base, version: 'v2' as 'v4'}), {message: /`version`/});
	});
	it('content type: exact → eq condition and field; family → starts-with, no field; */* → nothing', async () => {
		const exact = await createPostPolicy(CREDS, {keyPrefix: 'uploads/m1/', contentType: 'image/png', now: NOW});
		assert.deepEqual(decodePolicy(exact.fields.policy!).conditions.at(-1), ['eq', '$Content-Type', 'image/png']);
		assert.equal(exact.fields['Content-Type'], 'image/png');
		const family = await createPostPolicy(CREDS, {keyPrefix: 'uploads/m1/', contentType: 'image/*', now: NOW});
		assert.deepEqual(decodePolicy(family.fields.policy!).conditions.at(-1), ['starts-with', '$Content-Type', 'image/']);
		assert.equal(family.fields['Content-Type'], undefined);
		const any = await createPostPolicy(CREDS, {keyPrefix: 'uploads/m1/', contentType: '*/*', now: NOW});
		assert.deepEqual(decodePolicy(any.fields.policy!).conditions.at(-1), {success_action_status: '200'});
	});
	it('v1 fields', async () => {
		const {fields} = await createPostPolicy(CREDS, {key: 'uploads/m1/a.txt', version: 'v1', now: NOW});
		assert.deepEqual(Object.keys(fields), ['key', 'policy', 'OSSAccessKeyId', 'Signature', 'x-oss-security-token', 'success_action_status']);
		assert.match(fields.Signature!, /^[A-Za-z\d+/]{27}=$/);
	});
});
