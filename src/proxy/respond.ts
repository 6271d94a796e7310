/**
Building the proxy's answers: the headers every answer carries, and the `error_response` the proxy raises itself
(TOP's shape, `code` = HTTP status, a `topsec.*` sub code, a random `request_id`).
@module
*/

/** A call the proxy refuses itself; thrown inside the handler and turned into an `error_response`. */
export class Refusal extends Error {
	override name = 'Refusal';
	/** HTTP status of the answer. */
	readonly status: number;
	/** The `topsec.*` sub code. */
	readonly subCode: string;
	/** Extra headers for the answer (`Allow`, `Retry-After`). */
	readonly headers: Readonly<Record<string, string>> | undefined;

	constructor(status: number, subCode: string, subMsg: string, headers?: Record<string, string>) {
		super(subMsg);
		this.status = status;
		this.subCode = subCode;
		this.headers = headers;
	}
}

const REASONS: Readonly<Record<number, string>> = {
	400: 'Bad Request',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	413: 'Payload Too Large',
	429: 'Too Many Requests',
	499: 'Client Closed Request',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

/** Headers on every answer: JSON, never cached, never sniffed; `Vary: Origin` because CORS headers depend on it. */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	'content-type': 'application/json; charset=utf-8',
	'cache-control': 'no-store',
	'x-content-type-options': 'nosniff',
	vary: 'Origin',
});

/** A random id for an answer the proxy raises itself. */
export const newRequestId = (): string => crypto.randomUUID().replace(/-/g, '');

/**
The JSON body of a proxy-raised error.
@example
```
errorBody(new Refusal(404, 'topsec.method-not-allowed', 'method `x` is not allowed'), 'a1b2…', Date.now());
// {error_response: {code: 404, msg: 'Not Found', sub_code: 'topsec.method-not-allowed', …}, topsec: {serverTime}}
```
*/
export function errorBody(refusal: Refusal, requestId: string, serverTime: number): string {
	return JSON.stringify({
		error_response: {code: refusal.status, msg: REASONS[refusal.status] ?? 'Error', sub_code: refusal.subCode, sub_msg: refusal.message, request_id: requestId},
		topsec: {serverTime},
	});
}

/** A `Response` with {@link BASE_HEADERS} plus `headers`. */
export function respond(status: number, body: string | null, ...headers: Array<Readonly<Record<string, string>> | undefined>): Response {
	const all = new Headers(BASE_HEADERS);
	for (const extra of headers) for (const [name, value] of Object.entries(extra ?? {})) all.set(name, value);
	if (body === null) all.delete('content-type');
	return new Response(body, {status, headers: all});
}
