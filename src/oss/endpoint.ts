/**
Where a bucket lives (DESIGN.md §6): virtual-hosted origin, region for signature V4, and object URLs.
@module
*/
import type {OssCredentials} from './types.js';
import {ossEncodePath} from './encode.js';

// OSS bucket naming rules: 3–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
const BUCKET = /^[a-z\d][a-z\d-]{1,61}[a-z\d]$/;

/**
The bucket's virtual-hosted origin `https://<bucket>.<endpoint>`. An endpoint with a scheme keeps its scheme and port,
so a local emulator works: `http://oss-cn-hangzhou.localhost:8787` → `http://topsec-dev.oss-cn-hangzhou.localhost:8787`.
Throws a `TypeError` for an invalid bucket name or an empty endpoint.
@example
```
ossOrigin({bucket: 'photos', endpoint: 'oss-cn-hangzhou.aliyuncs.com'}) // 'https://photos.oss-cn-hangzhou.aliyuncs.com'
```
*/
export function ossOrigin({bucket, endpoint}: Pick<OssCredentials, 'bucket' | 'endpoint'>): string {
	// The endpoint as a bare host or as a URL (path and trailing slash dropped).
	const [, scheme = 'https:', host] = /^(?:([a-z][a-z\d+.-]*:)\/\/)?([^/?#]*)/i.exec((endpoint ?? '').trim())!;
	if (!BUCKET.test(bucket ?? '')) throw new TypeError(`\`bucket\` is invalid: "${bucket}"`);
	if (!host) throw new TypeError('`endpoint` has no host');
	return `${scheme.toLowerCase()}//${bucket}.${host}`;
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
	// Parsed on its own: the client needs only this, and bundles it without the rest of this module.
	const host = endpoint.trim().replace(/^[a-z][a-z\d+.-]*:\/\//i, '').split(/[/:?#]/)[0]!.toLowerCase();
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
