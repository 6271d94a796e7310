/**
Node adapters for the fetch-style proxy: `createNodeHandler` (node:http / Express / Connect middleware) and
`serveProxy` (a node:http server). The only module that touches `node:http`, and only lazily in `serveProxy`, so
importing `topsec/proxy` on an edge runtime never loads it.
@module
*/
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Duplex} from 'node:stream';
import {assertOrigin} from './cors.js';
import type {ProxyRequestInfo} from './rate-limit.js';
import {BASE_HEADERS, newRequestId} from './respond.js';

/** A fetch-style handler, such as the one {@link createProxy} returns; `info.clientIp` is the socket's peer address. */
export type FetchHandler = (request: Request, info?: ProxyRequestInfo) => Promise<Response>;

/** A node:http request listener that also works as Express/Connect middleware. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** Options of {@link createNodeHandler}. */
export type NodeHandlerOptions = {
	/**
	The path the proxy answers on (compared with the path of `req.originalUrl ?? req.url`, query ignored). Other
	paths go to `next()`, or get a 404 when there is no `next`.
	@default '/top'
	*/
	path?: string;
	/**
	The proxy's public origin, used to build `request.url` (and so to recognise same-origin calls). Set it when a
	TLS-terminating reverse proxy sits in front (the socket then looks like plain http).
	@default `http(s)://<Host header>`
	*/
	origin?: string;
};

// After the handler stopped reading (413), up to this much more of the body is read and dropped, so the client
// can read the answer instead of seeing a reset; past it, the connection is cut.
const MAX_DISCARD_BYTES = 1024 * 1024;

function normalizePath(path: unknown): string {
	if (typeof path !== 'string' || !path.startsWith('/') || /[?#]/.test(path)) throw new TypeError('`path` must start with "/" and hold no query or fragment');
	return path;
}

/** The request body as a Web stream that reads `req` only as fast as the consumer pulls, and stops when cancelled. */
function bodyStream(req: IncomingMessage, res: ServerResponse): ReadableStream<Uint8Array> {
	let cancelled = false;
	return new ReadableStream<Uint8Array>({
		start(controller) {
			req.on('data', (chunk: Uint8Array) => {
				if (cancelled) return;
				controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
				if ((controller.desiredSize ?? 0) <= 0) req.pause();
			});
			req.once('end', () => cancelled || controller.close());
			req.once('error', (error) => cancelled || controller.error(error));
			req.pause();
		},
		pull() {
			req.resume();
		},
		cancel() {
			cancelled = true;
			if (!res.headersSent) res.setHeader('connection', 'close');
			let dropped = 0;
			req.on('data', (chunk: Uint8Array) => {
				dropped += chunk.byteLength;
				if (dropped > MAX_DISCARD_BYTES) req.destroy();
			});
			req.resume();
		},
	});
}

/** A Web `Request` for a node request. */
function toRequest(req: IncomingMessage, res: ServerResponse, url: string, signal: AbortSignal): Request {
	const headers = new Headers();
	for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
		const name = req.rawHeaders[i]!;
		if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!);
	}
	const method = req.method ?? 'GET';
	const hasBody = method !== 'GET' && method !== 'HEAD';
	// `duplex: 'half'` is required by Node's fetch for stream bodies, and not yet in the DOM typings.
	const init = {method, headers, signal, body: hasBody ? bodyStream(req, res) : null, duplex: 'half'} as RequestInit;
	return new Request(url, init);
}

/** Writes a Web `Response` to a node response, streaming the body with backpressure. */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
	res.statusCode = response.status;
	for (const [name, value] of response.headers) {
		if (name !== 'set-cookie') res.setHeader(name, value);
	}
	const cookies = response.headers.getSetCookie();
	if (cookies.length > 0) res.setHeader('set-cookie', cookies);
	if (!response.body) return void res.end();
	const reader = response.body.getReader();
	try {
		for (;;) {
			const {done, value} = await reader.read();
			if (done) break;
			if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
			if (res.destroyed) return void reader.cancel().catch(() => {});
		}
	} finally {
		reader.releaseLock();
	}
	res.end();
}

const REASONS: Readonly<Record<number, string>> = {400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error'};

function writeError(res: ServerResponse, status: number, subCode: string, subMsg: string): void {
	if (res.headersSent) return void res.destroy();
	const body = JSON.stringify({error_response: {code: status, msg: REASONS[status] ?? 'Error', sub_code: subCode, sub_msg: subMsg, request_id: newRequestId()}, topsec: {serverTime: Date.now()}});
	res.writeHead(status, {...BASE_HEADERS, 'content-length': String(Buffer.byteLength(body))}).end(body);
}

/**
Adapts a fetch-style handler to node:http: `req` becomes a `Request` (its body streamed lazily, so a handler that
stops reading past its size cap stops the upload too), the `Response` is written back, and a client that goes
away aborts `request.signal`. Requests for another path go to `next()` (Express/Connect) or get a 404.
@example
```
import {createServer} from 'node:http';
import {createProxy, createNodeHandler} from 'topsec/proxy';

const proxy = createNodeHandler(createProxy({appKey, appSecret}));
createServer(proxy).listen(8788); // or: expressApp.use(proxy)
```
*/
export function createNodeHandler(handler: FetchHandler, options: NodeHandlerOptions = {}): NodeHandler {
	const path = normalizePath(options.path ?? '/top');
	if (options.origin !== undefined) assertOrigin(options.origin, 'origin');
	const fixedOrigin = options.origin;

	return (req, res, next) => {
		// Express strips a mount path from `req.url` but keeps the full one in `originalUrl`.
		const target = (req as IncomingMessage & {originalUrl?: string}).originalUrl ?? req.url ?? '/';
		if (target.split('?', 1)[0] !== path) {
			if (next) return next();
			return writeError(res, 404, 'topsec.not-found', 'no proxy on this path');
		}
		const controller = new AbortController();
		res.once('close', () => res.writableFinished || controller.abort());
		const encrypted = (req.socket as {encrypted?: boolean}).encrypted === true;
		const run = async () => {
			let request: Request;
			try {
				request = toRequest(req, res, `${fixedOrigin ?? `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`}${target}`, controller.signal);
			} catch {
				return writeError(res, 400, 'topsec.bad-request', 'malformed request');
			}
			// The peer of the socket, never a header: behind a reverse proxy, opt in with `rateLimits.trustProxy`.
			await writeResponse(await handler(request, {clientIp: req.socket.remoteAddress}), res);
		};
		run().catch(() => writeError(res, 500, 'topsec.internal', 'internal error'));
	};
}

const CLIENT_ERRORS: Readonly<Record<string, [number, string]>> = {
	HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
	ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/**
Answers a request node:http could not even parse (unknown HTTP method, Content-Length with Transfer-Encoding, bad
chunks, oversized headers, a slow client) in the proxy's own error shape instead of Node's bare 400, then closes.
*/
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
	const current = (socket as {_httpMessage?: {headersSent?: boolean}})._httpMessage;
	if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent) return void socket.destroy();
	const [status, reason] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request'];
	const body = JSON.stringify({error_response: {code: status, msg: reason, sub_code: 'topsec.bad-request', sub_msg: 'malformed HTTP request', request_id: newRequestId()}, topsec: {serverTime: Date.now()}});
	const headers = Object.entries({...BASE_HEADERS, 'content-length': String(Buffer.byteLength(body)), connection: 'close'}).map(([name, value]) => `${name}: ${value}\r\n`);
	socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.join('')}\r\n${body}`);
}

/** Options of {@link serveProxy}. */
export type ServeProxyOptions = NodeHandlerOptions & {
	/**
	Port to listen on; `0` picks a free one.
	@default 8788
	*/
	port?: number;
	/**
	Interface to listen on.
	@default '127.0.0.1'
	*/
	host?: string;
};

/** A running proxy server. */
export type ServedProxy = {
	/** The proxy's URL, path included, e.g. `http://127.0.0.1:8788/top`. */
	url: string;
	/** The port it listens on. */
	port: number;
	/** Stops listening and closes open connections. */
	close(): Promise<void>;
};

/**
Serves a fetch-style handler over node:http on `path` (everything else is 404).
@example
```
const server = await serveProxy(createProxy(proxyOptionsFromEnv(process.env)), {port: 8788});
console.log(`proxy on ${server.url}`);
```
*/
export async function serveProxy(handler: FetchHandler, options: ServeProxyOptions = {}): Promise<ServedProxy> {
	const {port = 8788, host = '127.0.0.1', ...nodeOptions} = options;
	const listener = createNodeHandler(handler, nodeOptions);
	const {createServer} = await import('node:http');
	const server = createServer((req, res) => listener(req, res));
	// Slow-loris guard: a whole request (headers and the small JSON body) must arrive within 30 s.
	server.requestTimeout = 30_000;
	server.on('clientError', answerClientError);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const actualPort = (server.address() as AddressInfo).port;
	const urlHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${urlHost}:${actualPort}${nodeOptions.path ?? '/top'}`,
		port: actualPort,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
