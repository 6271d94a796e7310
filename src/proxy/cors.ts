/**
Origin policy and CORS headers. Origins are compared as exact strings (after validating the allowlist once), so
`https://a.com.evil.com` never passes for `https://a.com`, and there are no wildcards.
@module
*/

/** Whether a request's origin may call the proxy, and the origin to echo in CORS headers (only for allowed foreign origins). */
export type OriginVerdict = {allowed: true; corsOrigin: string | undefined} | {allowed: false};

/**
Throws a `TypeError` naming `option` unless `value` is a serialized http(s) origin (`scheme://host[:port]`, no
path, no trailing slash, lowercase host, default port omitted) — the exact form browsers send in `Origin`.
@example
```
assertOrigin('https://shop.example.com', 'allowOrigins'); // ok
assertOrigin('https://shop.example.com/', 'allowOrigins'); // TypeError
```
*/
export function assertOrigin(value: string, option: string): void {
	let origin: string | undefined;
	try {
		const url = new URL(value);
		if (url.protocol === 'https:' || url.protocol === 'http:') origin = url.origin;
	} catch {}
	if (origin !== value) {
		const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
		throw new TypeError(`\`${option}\` entry ${shown} is not an origin; write it as scheme://host[:port], e.g. ${JSON.stringify(origin ?? 'https://example.com')}`);
	}
}

/**
Builds the per-request origin check for an already validated allowlist. A request passes when it has no `Origin`
(server to server), when its `Origin` is the proxy's own origin (same origin as `request.url`), or when it equals
an allowlisted origin; only the last kind gets CORS headers.
@example
```
const checkOrigin = createOriginPolicy(['https://shop.example.com']);
checkOrigin(request); // {allowed: true, corsOrigin: 'https://shop.example.com'}
```
*/
export function createOriginPolicy(allowOrigins: readonly string[]): (request: Request) => OriginVerdict {
	const allowed = new Set(allowOrigins);
	return (request) => {
		const origin = request.headers.get('origin');
		if (origin === null) return {allowed: true, corsOrigin: undefined};
		if (allowed.has(origin)) return {allowed: true, corsOrigin: origin};
		let own: string | undefined;
		try {
			own = new URL(request.url).origin;
		} catch {}
		return origin === own ? {allowed: true, corsOrigin: undefined} : {allowed: false};
	};
}

/** Headers for any answer to an allowed foreign origin. Credentials are not allowed (the header is left out). */
export function corsHeaders(origin: string): Record<string, string> {
	return {
		'access-control-allow-origin': origin,
		// The client reads `Retry-After` on a 429; it is not a CORS-safelisted response header.
		'access-control-expose-headers': 'retry-after',
	};
}

/** Extra headers for a preflight answer to an allowed foreign origin. */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	'access-control-allow-methods': 'POST',
	'access-control-allow-headers': 'content-type',
	'access-control-max-age': '600',
});
