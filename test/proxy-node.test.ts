import assert from 'node:assert/strict';
import {request as httpRequest, createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {createNodeHandler, createProxy, serveProxy, type ServedProxy} from '../src/proxy/index.js';

const SECRET = 'node-adapter-secret-0123456789';
const SEC = 'taobao.top.sec.token.get';
const upstream: Array<{form: URLSearchParams; signal: AbortSignal}> = [];
let hang = false;

const fakeFetch = (async (_input: RequestInfo | URL, init: RequestInit = {}) => {
	const form = new URLSearchParams(init.body as string);
	upstream.push({form, signal: init.signal!});
	if (hang) return new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
	return new Response(JSON.stringify({top_sec_token_get_response: {sec_token: 'tok', expire_time: 60, request_id: 'r'}}));
}) as typeof fetch;

const proxy = createProxy({appKey: '1', appSecret: SECRET, fetch: fakeFetch, allowOrigins: ['https://shop.example.com']});
const callBody = JSON.stringify({method: SEC, params: {open_id: 'o1'}});
const jsonHeaders = {'content-type': 'application/json'};

function assertNoSecret(text: string) {
	assert.ok(!text.includes(SECRET));
}

describe('serveProxy over real HTTP', () => {
	let server: ServedProxy;
	before(async () => {
		server = await serveProxy(proxy, {port: 0, host: '127.0.0.1'});
	});
	after(() => server.close());

	test('listens on 127.0.0.1 with the path in the URL', () => {
		assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/top$/);
		assert.ok(server.port > 0);
	});

	test('POST /top: 200 with TOP answer, grant, and common headers', async () => {
		upstream.length = 0;
		const response = await fetch(server.url, {method: 'POST', headers: {...jsonHeaders, origin: 'https://shop.example.com'}, body: callBody});
		const text = await response.text();
		assertNoSecret(text);
		assert.equal(response.status, 200);
		const body = JSON.parse(text);
		assert.equal(body.top_sec_token_get_response.sec_token, 'tok');
		assert.match(body.topsec.grant.value, /^v1\./);
		assert.equal(response.headers.get('cache-control'), 'no-store');
		assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example.com');
		assert.equal(upstream.length, 1);
	});

	test('the query string is ignored for routing', async () => {
		const response = await fetch(`${server.url}?v=1`, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(response.status, 200);
		await response.arrayBuffer();
	});

	test('413 on a 20 KB body with Content-Length', async () => {
		upstream.length = 0;
		const response = await fetch(server.url, {method: 'POST', headers: jsonHeaders, body: JSON.stringify({method: SEC, params: {open_id: 'x'.repeat(20_000)}})});
		const body = await response.json();
		assert.equal(response.status, 413);
		assert.equal(body.error_response.sub_code, 'topsec.body-too-large');
		assert.equal(upstream.length, 0);
	});

	test('413 on a 20 KB chunked body (no Content-Length)', async () => {
		upstream.length = 0;
		const bytes = new TextEncoder().encode(JSON.stringify({method: SEC, params: {open_id: 'x'.repeat(20_000)}}));
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
				controller.close();
			},
		});
		const response = await fetch(server.url, {method: 'POST', headers: jsonHeaders, body: stream, duplex: 'half'} as RequestInit);
		const body = await response.json();
		assert.equal(response.status, 413);
		assert.equal(body.error_response.sub_code, 'topsec.body-too-large');
		assert.equal(upstream.length, 0);
	});

	test('the server keeps serving after a 413', async () => {
		const response = await fetch(server.url, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(response.status, 200);
		await response.arrayBuffer();
	});

	test('other paths: 404; other HTTP methods on the path: 405 from the handler', async () => {
		const other = await fetch(server.url.replace(/\/top$/, '/other'), {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(other.status, 404);
		assert.equal((await other.json()).error_response.sub_code, 'topsec.not-found');
		const prefix = await fetch(`${server.url}x`, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(prefix.status, 404);
		await prefix.arrayBuffer();
		const get = await fetch(server.url);
		assert.equal(get.status, 405);
		assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
		await get.arrayBuffer();
	});

	test('foreign origin: 403 over HTTP too', async () => {
		const response = await fetch(server.url, {method: 'POST', headers: {...jsonHeaders, origin: 'https://evil.example'}, body: callBody});
		assert.equal(response.status, 403);
		assert.equal((await response.json()).error_response.sub_code, 'topsec.origin-forbidden');
	});

	test('a client that disconnects aborts the upstream call', async () => {
		upstream.length = 0;
		hang = true;
		try {
			const port = server.port;
			await new Promise<void>((resolve) => {
				const req = httpRequest({host: '127.0.0.1', port, path: '/top', method: 'POST', headers: {...jsonHeaders, 'content-length': Buffer.byteLength(callBody)}});
				req.on('error', () => resolve());
				req.end(callBody);
				const poll = setInterval(() => {
					if (upstream.length > 0) {
						clearInterval(poll);
						req.destroy();
						resolve();
					}
				}, 2);
			});
			for (let i = 0; i < 200 && !upstream[0]!.signal.aborted; i++) await new Promise((resolve) => setTimeout(resolve, 5));
			assert.ok(upstream[0]!.signal.aborted, 'upstream signal must abort');
		} finally {
			hang = false;
		}
	});
});

describe('createNodeHandler as middleware', () => {
	let server: Server;
	let base: string;
	before(async () => {
		const handler = createNodeHandler(proxy, {path: '/api/top', origin: 'https://shop.example.com'});
		server = createServer((req, res) => {
			if (req.url?.startsWith('/mounted')) {
				// What Express does for app.use('/mounted', handler): strip the mount path, keep originalUrl.
				const mounted = req as IncomingMessage & {originalUrl?: string};
				mounted.originalUrl = req.url.replace('/mounted', '/api');
				req.url = req.url.slice('/mounted'.length) || '/';
			}
			handler(req, res, () => {
				res.statusCode = 299;
				res.end('next called');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	test('calls next() when the path does not match', async () => {
		const response = await fetch(`${base}/elsewhere`, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(response.status, 299);
		assert.equal(await response.text(), 'next called');
	});

	test('handles its own path', async () => {
		const response = await fetch(`${base}/api/top`, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(response.status, 200);
		assert.equal((await response.json()).top_sec_token_get_response.sec_token, 'tok');
	});

	test('matches on originalUrl when mounted under a prefix', async () => {
		const response = await fetch(`${base}/mounted/top`, {method: 'POST', headers: jsonHeaders, body: callBody});
		assert.equal(response.status, 200);
		await response.arrayBuffer();
	});

	test('the `origin` option makes the public origin same-origin', async () => {
		const own = await fetch(`${base}/api/top`, {method: 'POST', headers: {...jsonHeaders, origin: 'https://shop.example.com'}, body: callBody});
		assert.equal(own.status, 200);
		await own.arrayBuffer();
	});

	test('bad options throw TypeError naming them', () => {
		assert.throws(() => createNodeHandler(proxy, {path: 'top'}), /`path`/);
		assert.throws(() => createNodeHandler(proxy, {origin: 'https://a.com/x'}), /`origin`/);
	});
});
