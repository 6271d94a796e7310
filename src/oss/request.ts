/**
Signed requests to OSS with the recovery DESIGN.md §6 asks for: network errors and 5xx retried with backoff and
jitter; `SecurityTokenExpired`/`InvalidAccessKeyId` → fresh credentials, same request again;
`RequestTimeTooSkewed` → adopt the server's clock, same request again. Anything else is an {@link OssError}.
@module
*/
import {OssError} from '../errors/oss-error.js';
import type {OssCredentialParams, TopsecClient} from '../client/types.js';
import {objectUrl, ossOrigin} from './endpoint.js';
import {send, type OssExchange} from './http.js';
import {signOssRequest} from './sign.js';
import type {OssCredentials} from './types.js';
import {parseOssError, readServerTime} from './xml.js';

/** What the uploader needs of a client: credentials, the corrected clock, and storage for checkpoints. */
export type UploadClient = Pick<TopsecClient, 'getOssCredentials' | 'now' | 'syncClock' | 'storage' | 'namespace'>;

/** One OSS request, before signing. */
export type OssCall = {
	method: string;
	key?: string | undefined;
	/** `null` marks a sub-resource without value (`uploads`). */
	query?: Record<string, string | null> | undefined;
	headers?: Record<string, string> | undefined;
	body?: Uint8Array | string | undefined;
	onUploadProgress?: ((sent: number) => void) | undefined;
};

const REFRESH_CODES = new Set(['SecurityTokenExpired', 'InvalidAccessKeyId', 'InvalidSecurityToken']);

/** Full-jitter exponential backoff: a random wait in [0, min(cap, 300 ms · 2^attempt)]. */
export const backoffMs = (attempt: number, capMs = 8000): number => Math.random() * Math.min(capMs, 300 * 2 ** attempt);

/** Waits `ms`, or rejects when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
	new Promise((resolve, reject) => {
		signal?.throwIfAborted();
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal!.reason);
		};
		signal?.addEventListener('abort', onAbort, {once: true});
	});

const queryString = (query: Record<string, string | null> = {}) => {
	const parts = Object.entries(query).map(([name, value]) => (value === null ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`));
	return parts.length ? `?${parts.join('&')}` : '';
};

/** Sends {@link OssCall}s for one upload with the credentials of `params`. */
export type OssRequester = {
	credentials(): Promise<OssCredentials>;
	request(call: OssCall, signal?: AbortSignal): Promise<OssExchange>;
};

/** Creates an {@link OssRequester}; `retries` is per request. */
export function createOssRequester(client: UploadClient, params: OssCredentialParams | undefined, retries: number): OssRequester {
	const credentials = (signal?: AbortSignal, forceRefresh = false) => client.getOssCredentials(params, {...(signal ? {signal} : {}), forceRefresh});
	return {
		credentials: () => credentials(),
		async request(call, signal) {
			for (let attempt = 0, refreshes = 0, clockFixes = 0; ; ) {
				signal?.throwIfAborted();
				// The client caches credentials in memory and renews them shortly before they expire.
				const current = await credentials(signal);
				const url = (call.key === undefined ? `${ossOrigin(current)}/` : objectUrl(current, call.key)) + queryString(call.query);
				const headers = await signOssRequest(current, {method: call.method, bucket: current.bucket, key: call.key, query: call.query, headers: call.headers}, {now: client.now()});
				const exchange = await send({method: call.method, url, headers, body: call.body, signal, onUploadProgress: call.onUploadProgress});
				if (exchange.status >= 200 && exchange.status < 300) return exchange;
				const error = exchange.status
					? parseOssError(exchange.text, exchange.status, exchange.header('x-oss-request-id'))
					: new OssError({code: 'NetworkError', message: `no answer to ${call.method} (connection failed or dropped)`, status: 0});
				if (REFRESH_CODES.has(error.code) && refreshes++ < 3) {
					// Parts in flight together all fail with the same stale token, but their errors can arrive after
					// another part already renewed it (Firefox spreads them out): renew only if nobody has yet.
					const latest = await credentials(signal);
					if (latest.accessKeyId === current.accessKeyId && latest.securityToken === current.securityToken) await credentials(signal, true);
					continue;
				}
				const serverTime = error.code === 'RequestTimeTooSkewed' ? readServerTime(exchange.text) : undefined;
				if (serverTime !== undefined && clockFixes++ < 2) {
					client.syncClock(serverTime);
					continue;
				}
				if ((exchange.status === 0 || exchange.status >= 500 || exchange.status === 429) && attempt < retries) {
					await sleep(backoffMs(attempt++), signal);
					continue;
				}
				throw error;
			}
		},
	};
}
