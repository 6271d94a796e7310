// The default transport (ky): JSON body and Content-Type on every attempt, retries on 5xx, and the body handed to
// fetch per attempt rather than held by ky's Request (which ky clones before each attempt to be able to retry).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createFetchTransport} from '../src/client/transport.js';

const SEC = 'taobao.top.sec.token.get';

test('each attempt POSTs the JSON call; a bodyless Request is what ky clones; 503 is retried', async () => {
	const attempts: Array<{method: string; url: string; contentType: string | null; requestBody: unknown; body: unknown}> = [];
	const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
		const request = new Request(input, init);
		attempts.push({
			method: request.method,
			url: request.url,
			contentType: request.headers.get('content-type'),
			requestBody: (input as Request).body,
			body: JSON.parse(await request.text()),
		});
		if (attempts.length === 1) return new Response(JSON.stringify({error_response: {code: 7, msg: 'App Call Limited', sub_code: 'isp.call-limited'}}), {status: 503});
		return new Response(JSON.stringify({top_sec_token_get_response: {sec_token: 'tok', request_id: 'r1'}, topsec: {serverTime: 1}}), {headers: {'content-type': 'application/json'}});
	}) as typeof globalThis.fetch;
	const transport = createFetchTransport({proxy: 'https://proxy.example.com/top', fetch});
	const result = await transport({method: SEC, params: {open_id: 'o1'}, grant: undefined}, {});
	assert.deepEqual(result.answer, {sec_token: 'tok', request_id: 'r1'});
	assert.deepEqual(result.meta, {serverTime: 1});
	assert.equal(attempts.length, 2);
	for (const attempt of attempts) {
		assert.deepEqual(attempt, {method: 'POST', url: 'https://proxy.example.com/top', contentType: 'application/json', requestBody: null, body: {method: SEC, params: {open_id: 'o1'}}});
	}
});

test('retries spent on a 503: the TOP error in its body is what the caller gets', async () => {
	let calls = 0;
	const fetch = (async () => {
		calls++;
		return new Response(JSON.stringify({error_response: {code: 7, msg: 'App Call Limited', sub_code: 'isp.call-limited'}}), {status: 503, headers: {'content-type': 'application/json'}});
	}) as typeof globalThis.fetch;
	const transport = createFetchTransport({proxy: 'https://proxy.example.com/top', fetch, retries: 1});
	await assert.rejects(transport({method: SEC, params: {open_id: 'o1'}}, {}), {name: 'TopError', code: 7, subCode: 'isp.call-limited'});
	assert.equal(calls, 2);
});
