/**
`topsec dev`'s own parts: the secret check the demo's request log relies on (the secret stays in the server; the
page only learns whether a text contains it), and what the server hands out besides the demo.
*/
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {startDevServer} from '../src/dev/dev-server.js';
import {createLeakCheck} from '../src/dev/leak-check.js';
import type {EmulatorServer} from '../src/emulator/server.js';

describe('createLeakCheck', () => {
	const secret = 'a-secret-of-some-length';
	const contains = createLeakCheck(secret);
	it('finds the secret raw, percent-encoded, JSON-escaped and in hex', () => {
		assert.equal(contains(`x${secret}y`), true);
		assert.equal(contains(`q=${encodeURIComponent('/' + secret)}`), true);
		assert.equal(contains(JSON.stringify({secret})), true);
		assert.equal(contains(Buffer.from(secret).toString('hex').toUpperCase()), true);
	});
	it('finds it inside a longer base64 or base64url value, whatever its byte offset', () => {
		for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
			for (const encoding of ['base64', 'base64url'] as const) {
				assert.equal(contains(Buffer.from(`${prefix}${secret}!?`).toString(encoding)), true, `${encoding}, prefix ${prefix.length}`);
			}
		}
	});
	it('does not cry wolf', () => {
		assert.equal(contains(secret.slice(0, -1)), false);
		assert.equal(contains(Buffer.from('a different text of similar length').toString('base64')), false);
		assert.equal(contains(''), false);
	});
});

describe('startDevServer', () => {
	let dev: EmulatorServer;
	const secret = 'dev-server-test-secret-1234';
	before(async () => {
		dev = await startDevServer({port: 0, appSecret: secret});
	});
	after(() => dev.close());

	const leakCheck = (texts: unknown, origin = dev.url) =>
		fetch(`${dev.url}/__dev/leak-check`, {method: 'POST', headers: {'content-type': 'application/json', origin}, body: JSON.stringify({texts})});

	it('answers whether texts contain the secret, never the secret itself', async () => {
		const response = await leakCheck(['GET /top', `x=${secret}`, Buffer.from(secret).toString('base64')]);
		assert.equal(response.status, 200);
		const text = await response.text();
		assert.deepEqual(JSON.parse(text), {leaks: [false, true, true]});
		assert.equal(text.includes(secret), false);
	});
	it('answers only its own origin, so another site cannot probe for the secret', async () => {
		assert.equal((await leakCheck(['x'], 'https://evil.example')).status, 403);
		assert.equal((await leakCheck('not a list')).status, 400);
	});
	it('serves the <script> build and its map, and nothing else of dist/', async () => {
		const script = await fetch(`${dev.url}/dist/topsec.iife.min.js`);
		assert.equal(script.status, 200);
		assert.match(script.headers.get('content-type') ?? '', /javascript/);
		assert.equal((await fetch(`${dev.url}/dist/topsec.iife.min.js.map`)).status, 200);
		assert.equal((await fetch(`${dev.url}/dist/proxy.js`)).status, 404);
		assert.equal((await fetch(`${dev.url}/script.html`)).status, 200);
		assert.equal((await fetch(`${dev.url}/`)).status, 200);
	});
	it('keeps the secret out of every proxy answer', async () => {
		const response = await fetch(`${dev.url}/top`, {method: 'POST', headers: {'content-type': 'application/json', origin: dev.url}, body: JSON.stringify({method: 'taobao.top.sec.token.get', params: {open_id: 'u1'}})});
		assert.equal(response.status, 200);
		assert.equal(createLeakCheck(secret)(await response.text()), false);
	});
});
