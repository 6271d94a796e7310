// In-page helpers of the bench: the attached files, the baselines (raw signed PUT, ali-oss, direct signed TOP
// call) and timing loops. Loaded by bench.html as /bench-helpers.js.

/** The files the bench attached (disk-backed, from an `<input type=file>`: see attachFile in bench/harness.mjs), by size. */
const files = new Map();
export const setFile = (size, file) => files.set(size, file);
export const fileOf = (size) => files.get(size);
export const dropFiles = () => files.clear();

// ---- OSS baselines ----

/**
The practical limit: one signed PUT of the whole blob with `fetch` (the blob streams from Blob storage; no copy in
the page). Signed with topsec's own V4 signer from dist/oss.js and the same STS credentials.
*/
export async function rawPut(credentials, key, blob) {
	const {signOssRequest, objectUrl} = window.topsecOss;
	const headers = await signOssRequest(credentials, {method: 'PUT', bucket: credentials.bucket, key, headers: {'content-type': blob.type || 'application/octet-stream'}});
	const response = await fetch(objectUrl(credentials, key), {method: 'PUT', headers, body: blob});
	const text = await response.text();
	if (!response.ok) throw new Error(`raw PUT: HTTP ${response.status} ${text.slice(0, 300)}`);
	return {etag: response.headers.get('etag'), crc64: response.headers.get('x-oss-hash-crc64ecma')};
}

/**
ali-oss's browser build, `multipartUpload` with the same part size and parallelism. ali-oss joins bucket and endpoint
host itself (`<bucket>.<endpoint host:port>`, see lib/common/client/getReqUrl.js), so the plain endpoint works, no
`cname`; it signs V1 (HMAC-SHA1) unless `authorizationV4` is set, and the emulator accepts both.
*/
export async function aliOssUpload(credentials, key, blob, {partSize, parallel, authorizationV4 = false}) {
	const client = new window.OSS({
		region: 'oss-' + credentials.region,
		accessKeyId: credentials.accessKeyId,
		accessKeySecret: credentials.accessKeySecret,
		stsToken: credentials.securityToken,
		bucket: credentials.bucket,
		endpoint: credentials.endpoint,
		secure: false,
		authorizationV4,
		// The 60 s refresh warning is about long-lived pages; the bench hands over fresh credentials.
		refreshSTSToken: async () => ({accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, stsToken: credentials.securityToken}),
		refreshSTSTokenInterval: 3_600_000,
	});
	const result = await client.multipartUpload(key, blob, {partSize, parallel, mime: blob.type || 'application/octet-stream'});
	return {etag: result.res?.headers?.etag, crc64: result.res?.headers?.['x-oss-hash-crc64ecma']};
}

// ---- TOP baseline ----

const pad = (n) => (n < 10 ? '0' : '') + n;
/** TOP timestamp: `yyyy-MM-dd HH:mm:ss` in UTC+8. */
function topTimestamp(ms) {
	const d = new Date(ms + 8 * 3600_000);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const keys = new Map();
/**
The page calling the TOP gateway itself, as the proxy would: system params, HMAC-SHA256 signature over the sorted
`keyvalue` string (Web Crypto), POST form-urlencoded, JSON answer. BENCH ONLY: the app secret never belongs in a
page; this is the baseline the proxy's overhead is measured against.
*/
export async function directSecToken(gateway, appKey, appSecret, openId) {
	let key = keys.get(appSecret);
	if (!key) keys.set(appSecret, (key = await crypto.subtle.importKey('raw', new TextEncoder().encode(appSecret), {name: 'HMAC', hash: 'SHA-256'}, false, ['sign'])));
	const params = {method: 'taobao.top.sec.token.get', app_key: appKey, timestamp: topTimestamp(Date.now()), v: '2.0', sign_method: 'hmac-sha256', format: 'json', open_id: openId};
	const names = Object.keys(params).sort();
	const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(names.map((name) => name + params[name]).join(''))));
	const sign = Array.from(mac, (b) => (b | 256).toString(16).slice(1)).join('').toUpperCase();
	const response = await fetch(gateway, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded;charset=UTF-8'}, body: new URLSearchParams([...names.map((name) => [name, params[name]]), ['sign', sign]])});
	const body = await response.json();
	const token = body.top_sec_token_get_response?.sec_token;
	if (!token) throw new Error(`direct TOP call: ${JSON.stringify(body).slice(0, 300)}`);
	return token;
}

// ---- timing ----

/** Milliseconds `fn` takes. */
export async function time(fn) {
	const start = performance.now();
	await fn();
	return performance.now() - start;
}

/** Mean milliseconds of one call over `n` sequential awaited calls of `fn` (for calls too quick to time one by one). */
export async function timeEach(fn, n) {
	const start = performance.now();
	for (let i = 0; i < n; i++) await fn();
	return (performance.now() - start) / n;
}
