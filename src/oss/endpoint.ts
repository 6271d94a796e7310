/**
Where a bucket lives (DESIGN.md §6): virtual-hosted origin, region for signature V4, and object URLs.
@module
*/
import type {OssCredentials} from './types.js';
import {ossEncodePath} from './encode.js';

// OSS bucket naming rules: 3–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
const BUCKET = /^[a-z\d][a-z\d-]{1,61}[a-z\d]$/;

/** `[scheme, host]` of an endpoint written as a bare host or as a URL (path and trailing slash dropped). */
function splitEndpoint(endpoint: string): [string, string] {
	const match = /^([a-z][a-z\d+.-]*:)\/\/([^/?#]+)/i.exec(endpoint.trim());
	return match ? [match[1]!.toLowerCase(), match[2]!] : ['https:', endpoint.trim().replace(/[/?#].*$/, '')];
}

/**
The bucket's virtual-hosted origin `https://<bucket>.<endpoint>`. An endpoint with a scheme keeps its scheme and port,
so a local emulator works: `http://oss-cn-hangzhou.localhost:8787` → `http://topsec-dev.oss-cn-hangzhou.localhost:8787`.
Throws a `TypeError` for an invalid bucket name or an empty endpoint.
@example
```
ossOrigin({bucket: 'photos', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}) // 'https://photos.oss-cn-hangzhou.aliyuncs.com'
```
*/
export function ossOrigin(credentials: Pick<OssCredentials, 'bucket' | 'endpoint'>): string {
	const {bucket, endpoint} = credentials;
	if (!BUCKET.test(bucket ?? '')) throw new TypeError(`\`bucket\` is not a valid OSS bucket name: "${bucket}"`);
	const [scheme, host] = splitEndpoint(endpoint ?? '');
	if (!host) throw new TypeError('`endpoint` must be a host such as "oss-cn-hangzhou.aliyuncs.com"');
	return `${scheme}//${bucket}.${host}`;
}

/**
The V4 signing region of an endpoint: its `oss-<region>` label without `oss-` (and without `-internal`).
`undefined` when the endpoint names no region (a custom domain, `oss-accelerate…`).
@example
```
regionFromEndpoint('oss-cn-hangzhou.aliyuncs.com') // 'cn-hangzhou'
regionFromEndpoint('https://oss-cn-shanghai-internal.aliyuncs.com:443') // 'cn-shanghai'
```
*/
export function regionFromEndpoint(endpoint: string): string | undefined {
	const host = splitEndpoint(endpoint)[1].replace(/:\d+$/, '').toLowerCase();
	return /(?:^|\.)oss-(?!accelerate)([a-z\d-]+?)(?:-internal)?(?:\.|$)/.exec(host)?.[1];
}

/**
The URL of object `key`: {@link ossOrigin} plus the key, each path segment percent-encoded the way OSS canonicalises it
(`/` kept, `+`, space, `%` and `!'()*` encoded).
@example
```
objectUrl(credentials, 'uploads/a b+c.png') // 'https://photos.oss-cn-hangzhou.aliyuncs.com/uploads/a%20b%2Bc.png'
```
*/
export const objectUrl = (credentials: Pick<OssCredentials, 'bucket' | 'endpoint'>, key: string): string =>
	ossOrigin(credentials) + '/' + ossEncodePath(key);
