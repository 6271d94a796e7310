import type {OssCredentials} from '../oss/types.js';
import type {StorageAdapter} from '../storage/types.js';
import type {Transport} from './answer.js';

/** Who the secToken is for; at least one field is required. */
export type Identity = {
	/** The user's `open_id`. */
	openId?: string;
	/** The `oeid`. */
	oeid?: string;
	/** The `ieid`. */
	ieid?: string;
};

/** Options of `createClient`. */
export type ClientOptions = {
	/** URL of the topsec proxy (absolute, or relative to the page). Required unless `transport` is given. */
	proxy?: string;
	/** The user the secToken is for. */
	identity: Identity;
	/** Where the secToken (and opted-in credentials) are kept. @default createIdbStorage() */
	storage?: StorageAdapter;
	/** How calls reach the proxy. @default createFetchTransport({proxy, fetch}) */
	transport?: Transport;
	/** `fetch` for the default transport. @default globalThis.fetch */
	fetch?: typeof fetch;
	/** Lifetime to assume for a secToken, overriding the grant's expiry. */
	secTokenTtlMs?: number;
	/** Refresh a secToken this long before it expires. @default 60000 */
	refreshMarginMs?: number;
	/** Keep OSS STS credentials in `storage` too (they hold a secret; off by default: memory only). @default false */
	persistOssCredentials?: boolean;
	/** The clock, epoch ms. @default Date.now */
	now?: () => number;
	/** Told once when IndexedDB is unusable and memory is used instead (default storage only). @default console.warn */
	onStorageFallback?: (message: string) => void;
};

/** A secToken and where it came from. */
export type SecToken = {
	/** The secToken. */
	token: string;
	/** When it stops being used, epoch ms (client clock). */
	expiresAt: number;
	/** `memory` (this page had it), `storage` (kept from an earlier page) or `network` (fetched now). */
	source: 'memory' | 'storage' | 'network';
};

/** Params of `getOssCredentials`; all optional, as TOP's `gettoken` has them. */
export type OssCredentialParams = {
	merchantCode?: string;
	/** A number. */
	scenesCode?: number;
	ouCode?: string;
	robotSn?: string;
};

/** Per-call options of every client method doing I/O. */
export type CallOptions = {
	/** Aborts the wait (and the request, when no other caller shares it). */
	signal?: AbortSignal;
	/** Skip caches and fetch anew. */
	forceRefresh?: boolean;
};

/** The client `createClient` returns. */
export type TopsecClient = {
	/**
	The secToken for this client's identity: from memory, else IndexedDB, else the proxy. Concurrent calls share one
	request; tabs share one refresh.
	*/
	getSecToken(options?: CallOptions): Promise<SecToken>;
	/** STS credentials for direct upload, cached in memory per params until shortly before they expire. */
	getOssCredentials(params?: OssCredentialParams, options?: CallOptions): Promise<OssCredentials>;
	/** Forget everything this client stored: memory, and its records in storage. */
	clear(options?: {signal?: AbortSignal}): Promise<void>;
	/** The time by the proxy's clock (epoch ms): `Date.now()` corrected by the offset learned from the proxy. */
	now(): number;
	/** Adopt a server time seen elsewhere (e.g. OSS `RequestTimeTooSkewed`'s `ServerTime`) as the clock offset. */
	syncClock(serverTimeMs: number): void;
	/** The storage in use (upload checkpoints go there too). */
	readonly storage: StorageAdapter;
	/** Prefix of every storage key this client writes; `clear()` removes them all. */
	readonly namespace: string;
	/** The identity, as given. */
	readonly identity: Readonly<Identity>;
};
