import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isTopError, isTopsecError, TopError} from '../src/errors/index.js';
import {readTopAnswer, responseKey, topErrorAction, topErrorFrom} from '../src/top/index.js';

test('responseKey', () => {
	assert.equal(responseKey('taobao.top.sec.token.get'), 'top_sec_token_get_response');
	assert.equal(responseKey('taobao.wdk.iot.wombat.common.gettoken'), 'wdk_iot_wombat_common_gettoken_response');
	assert.equal(responseKey('alibaba.foo.bar'), 'alibaba_foo_bar_response');
	assert.equal(responseKey('taobao.time.get'), 'time_get_response');
});

test('readTopAnswer: the success object', () => {
	const answer = {sec_token: 't', expire_time: 7200, request_id: 'r'};
	assert.deepEqual(readTopAnswer('taobao.top.sec.token.get', {top_sec_token_get_response: answer, topsec: {serverTime: 1}}), answer);
});

test('readTopAnswer: undefined when there is no root, or the body is not an object', () => {
	assert.equal(readTopAnswer('taobao.top.sec.token.get', {other_response: {}}), undefined);
	assert.equal(readTopAnswer('taobao.top.sec.token.get', {top_sec_token_get_response: 'x'}), undefined);
	for (const body of [null, undefined, 'x', 1, []]) assert.equal(readTopAnswer('taobao.top.sec.token.get', body), undefined);
});

test('readTopAnswer: error_response throws a TopError with every field', () => {
	const body = {error_response: {code: 25, msg: 'Invalid signature', sub_code: 'isv.invalid-signature', sub_msg: 'sign mismatch', request_id: 'req-1'}};
	assert.throws(
		() => readTopAnswer('taobao.top.sec.token.get', body, 200),
		(error: unknown) => {
			assert.ok(error instanceof TopError);
			assert.ok(isTopError(error) && isTopsecError(error));
			assert.equal(error.name, 'TopError');
			assert.equal(error.code, 25);
			assert.equal(error.msg, 'Invalid signature');
			assert.equal(error.subCode, 'isv.invalid-signature');
			assert.equal(error.subMsg, 'sign mismatch');
			assert.equal(error.requestId, 'req-1');
			assert.equal(error.status, 200);
			assert.equal(error.message, 'TOP error 25: Invalid signature (isv.invalid-signature: sign mismatch) [request req-1]');
			return true;
		},
	);
});

test('topErrorFrom tolerates string codes and missing fields', () => {
	const error = topErrorFrom({code: '7'});
	assert.equal(error.code, 7);
	assert.equal(error.msg, 'Unknown error');
	assert.equal(error.subCode, undefined);
	assert.equal(topErrorFrom({code: 'x', msg: 3}).code, 0);
	assert.ok(isTopError({name: 'TopError'}), 'cross-realm guard by name');
	assert.equal(isTopError(new Error('x')), false);
});

test('topErrorAction: retry, re-authenticate or give up (DESIGN.md §5)', () => {
	const table: Array<[number, string | undefined, 'retry' | 'reauth' | 'fatal']> = [
		[7, 'accesscontrol.limited-by-app-access-count', 'retry'],
		[8, undefined, 'retry'],
		[10, undefined, 'retry'],
		[15, 'isp.top-remote-connection-timeout', 'retry'],
		[0, 'isp.remote-service-error', 'retry'],
		[26, undefined, 'reauth'],
		[27, 'invalid-sessionkey', 'reauth'],
		[0, 'session-expired', 'reauth'],
		[0, 'top.token-expired', 'reauth'],
		[25, undefined, 'fatal'],
		[21, undefined, 'fatal'],
		[22, undefined, 'fatal'],
		[28, undefined, 'fatal'],
		[29, undefined, 'fatal'],
		[40, undefined, 'fatal'],
		[41, 'isv.invalid-parameter', 'fatal'],
		[43, undefined, 'fatal'],
		[15, 'isv.business-error', 'fatal'],
		[0, 'isv.token-invalid', 'fatal'],
		[999, undefined, 'fatal'],
	];
	for (const [code, subCode, action] of table) assert.equal(topErrorAction(code, subCode), action, `${code} ${subCode}`);
});
