/**
Signed requests to OSS with the recovery DESIGN.md §6 asks for: network errors and 5xx retried with backoff and
jitter; `SecurityTokenExpired`/`InvalidAccessKeyId` → fresh credentials, same request again;
`RequestTimeTooSkewed` → adopt the server's clock, same request again. Anything else is an {@link OssError}.
@module
*/
import {OssError} from '../errors/oss-error.js';
import type {OssCredentialParams, TopsecClient} from '../client/types.js';
import {canonicalQuery} from './encode.js';
import {objectUrl} from './endpoint.js';
import {send, type OssExchange} from './http.js';
import {signOssRequest} from './sign.js';
import type {OssCredentials} from './types.js';
import {parseOssError, readServerTime} from './xml.js';
import {backoffMs, sleep} from '../shared/timing.js';

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

// Answers that call for fresh credentials.
const REFRESH_CODES = /^(SecurityTokenExpired|Invalid(AccessKeyId|SecurityToken))$/;

/** Sends {@link OssCall}s for one upload with the credentials of `params`. */
export type OssRequester = {
	credentials(signal?: AbortSignal): Promise<OssCredentials>;
	request(call: OssCall, signal?: AbortSignal): Promise<OssExchange>;
};

/** Creates an {@link OssRequester}; `retries` is per request. */
export function createOssRequester(client: UploadClient, params: OssCredentialParams | undefined, retries: number): OssRequester {
	const credentials = (signal?: AbortSignal, forceRefresh?: boolean) => client.getOssCredentials(params, {signal, forceRefresh});
	return {
		credentials,
		async request(call, signal) {
			for (let attempt = 0, refreshes = 0, clockFixes = 0, offlineWaits = 0; ; ) {
				signal?.throwIfAborted();
				// The client caches credentials in memory and renews them shortly before they expire.
				const current = await credentials(signal);
				const query = canonicalQuery(call.query);
				const headers = await signOssRequest(current, {...call, bucket: current.bucket}, {now: client.now()});
				const exchange = await send({...call, url: objectUrl(current, call.key ?? '') + (query && '?' + query), headers, signal});
				const {status} = exchange;
				if (status > 199 && status < 300) return exchange;
				const error = status
					? parseOssError(exchange.text, status, exchange.header('x-oss-request-id'))
					: new OssError({code: 'NetworkError', message: `no answer to ${call.method}`, status});
				if (REFRESH_CODES.test(error.code) && refreshes++ < 3) {
					// Parts in flight together all fail with the same stale token, but their errors can arrive after
					// another part already renewed it (Firefox spreads them out): renew only if nobody has yet.
					if ((await credentials(signal)).securityToken === current.securityToken) await credentials(signal, true);
					continue;
				}
				const serverTime = error.code === 'RequestTimeTooSkewed' ? readServerTime(exchange.text) : undefined;
				if (serverTime !== undefined && clockFixes++ < 2) {
					client.syncClock(serverTime);
					continue;
				}
				if (!status && globalThis.navigator?.onLine === false && offlineWaits++ < 20) {
					// Offline: wait for the 'online' event (30 s at most, then try anyway) without spending a retry,
					// or a phone in a tunnel burns all of them in a few seconds and the upload fails.
					const back = new AbortController();
					addEventListener('online', () => back.abort(), {signal: back.signal});
					await sleep(30_000, signal ? AbortSignal.any([signal, back.signal]) : back.signal).catch(() => signal?.throwIfAborted());
					back.abort();
					continue;
				}
				if ((!status || status > 499 || status === 429) && attempt < retries) {
					// Full-jitter exponential backoff: a random wait up to min(8 s, 300 ms · 2^attempt).
					await sleep(backoffMs(attempt++, 8000), signal);
					continue;
				}
				throw error;
			}
		},
	};
}
