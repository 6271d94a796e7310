import {ProxyError} from '../errors/proxy-error.js';
import {TopError} from '../errors/top-error.js';
import type {OssCredentials} from '../oss/types.js';
import {createIdbStorage} from '../storage/idb.js';
import {OSS_TOKEN_METHOD, SEC_TOKEN_METHOD} from '../top/apis.js';
import {isReauthError} from '../top/response.js';
import {credentialsFromAnswer} from './oss-answer.js';
import {isCredentialsRecord, isFresh, isTokenRecord, type CachedRecord} from './records.js';
import {createSingleFlight} from './single-flight.js';
import {withTabLock} from './tab-lock.js';
import {proxyError, type CallResult} from './answer.js';
import {createFetchTransport} from './transport.js';
import type {CallOptions, ClientOptions, OssCredentialParams, SecToken, TopsecClient} from './types.js';

/** Used when neither the grant nor `secTokenTtlMs` says how long a secToken lives. */
const FALLBACK_TOKEN_TTL_MS = 30 * 60_000;

type Source = SecToken['source'];

/**
Copies the string fields `from[field]` to `to[name]` for each `[field, name]`, skipping empty ones; a field that is
neither a string nor absent is a `TypeError` naming it.
*/
const copyStrings = (from: object, to: Record<string, string | number>, fields: ReadonlyArray<readonly [string, string]>, prefix = '') => {
	for (const [field, name] of fields) {
		const value = (from as Record<string, unknown>)[field];
		if (value !== undefined && typeof value !== 'string') throw new TypeError(`\`${prefix}${field}\` must be a string`);
		if (value) to[name] = value;
	}
	return to;
};

/**
Creates a topsec client for one identity.
@example
```
import {createClient} from 'topsec';

const client = createClient({proxy: '/top', identity: {openId, oeid, ieid}});
const {token, source} = await client.getSecToken();
const credentials = await client.getOssCredentials({merchantCode: 'm1', scenesCode: 1});
```
*/
export function createClient(options: ClientOptions): TopsecClient {
	// (A missing `options` fails the destructuring below with a TypeError of its own.)
	const {identity = {}, proxy, secTokenTtlMs, refreshMarginMs = 60_000, persistOssCredentials} = options;
	const identityParams = copyStrings(identity, {}, [['openId', 'open_id'], ['oeid', 'oeid'], ['ieid', 'ieid']], 'identity.');
	if (!Object.keys(identityParams).length) throw new TypeError('`identity` needs at least one of `openId`, `oeid`, `ieid`');
	if (!options.transport && (typeof proxy !== 'string' || !proxy)) throw new TypeError('`proxy` must be the URL of the topsec proxy');
	if (!((secTokenTtlMs ?? 1) > 0 && refreshMarginMs >= 0)) throw new TypeError('`secTokenTtlMs` must be > 0 and `refreshMarginMs` ≥ 0');

	const localNow = options.now ?? Date.now;
	const storage = options.storage ?? createIdbStorage({onFallback: options.onStorageFallback});
	const transport = options.transport ?? createFetchTransport({proxy: proxy!, fetch: options.fetch});
	const flight = createSingleFlight();
	const namespace = `topsec:${proxy ?? ''}|${identity.openId ?? ''}|${identity.oeid ?? ''}|${identity.ieid ?? ''}|`;
	const tokenKey = `${namespace}sectoken`;

	let clockOffsetMs = 0;
	const memory = new Map<string, CachedRecord>();

	const learnClock = ({meta, sentAt, receivedAt}: CallResult) => {
		// The server stamped its time somewhere between send and receive; the midpoint halves the error.
		if (meta.serverTime! > 0) clockOffsetMs = meta.serverTime! - (sentAt + receivedAt) / 2;
	};

	/**
	One cached thing (the secToken, or the credentials of one param set) as DESIGN.md §3 says: from memory when
	fresh, else from storage (when `persist`), else fetched — once for all concurrent callers, and, when `persist`
	and storage is shared between tabs (not memory), once for all tabs: the cross-tab lock is taken and storage read
	again before fetching.
	*/
	const cached = async <R extends CachedRecord>(
		key: string,
		{signal, forceRefresh}: CallOptions,
		persist: boolean | undefined,
		check: (value: unknown, ns: string) => value is R,
		fresh: (record: R) => boolean,
		fetch: () => Promise<Omit<R, 'v' | 'ns' | 'obtainedAt'>>,
	): Promise<[R, Source]> => {
		const hit = memory.get(key) as R | undefined;
		if (!forceRefresh && hit && fresh(hit)) return [hit, 'memory'];
		return flight(
			forceRefresh ? `${key}!` : key,
			async () => {
				const startedAt = localNow();
				/**
				The stored record, when well formed, fresh, and (on a forced refresh) newer than this call. A corrupt or foreign
				value counts as nothing stored; the fetch that follows overwrites it.
				*/
				const load = async () => {
					const value = persist ? await storage.get(key).catch(() => undefined) : undefined;
					if (check(value, namespace) && fresh(value) && (!forceRefresh || value.obtainedAt >= startedAt)) return memory.set(key, value), value;
				};
				const stored = await load();
				if (stored) return [stored, 'storage'] as [R, Source];
				const refresh = async (): Promise<[R, Source]> => {
					// Another tab may have refreshed while this one waited for the lock.
					const again = await load();
					if (again) return [again, 'storage'];
					const record = {...(await fetch()), v: 1, ns: namespace, obtainedAt: localNow()} as R;
					memory.set(key, record);
					// A full or failing storage must not lose the record: it is in memory either way.
					if (persist) await storage.set(key, record).catch(() => {});
					return [record, 'network'];
				};
				// Memory storage is this tab's alone: no other tab's refresh could be read from it, so no lock to wait for.
				return persist && storage.kind !== 'memory' ? withTabLock(key, refresh) : refresh();
			},
			signal,
		);
	};

	const secToken = (callOptions: CallOptions = {}) =>
		cached(tokenKey, callOptions, true, isTokenRecord, (record) => isFresh(record, refreshMarginMs, localNow()), async () => {
			const result = await transport({method: SEC_TOKEN_METHOD, params: identityParams}, {});
			learnClock(result);
			const token = result.answer['sec_token'];
			if (typeof token !== 'string' || !token) throw proxyError('The proxy answered no usable `sec_token`', 200);
			// The proxy's grant carries the token's lifetime (DESIGN.md §4); without one, assume a conservative lifetime.
			const {grant} = result.meta;
			return {token, grant: grant?.value, expiresAt: secTokenTtlMs || !grant ? localNow() + (secTokenTtlMs ?? FALLBACK_TOKEN_TTL_MS) : grant.expiresAt - clockOffsetMs};
		});

	// `instanceof` suffices here: these errors come from this bundle's own transport.
	const needsReauth = (error: unknown) => (error instanceof ProxyError && error.subCode.startsWith('topsec.grant-')) || (error instanceof TopError && isReauthError(error.code, error.subCode));

	const getOssCredentials = async (params: OssCredentialParams = {}, callOptions: CallOptions = {}): Promise<OssCredentials> => {
		const topParams = copyStrings(params, {}, [['merchantCode', 'merchant_code'], ['ouCode', 'ou_code'], ['robotSn', 'robot_sn']]);
		const {scenesCode} = params;
		if (scenesCode !== undefined && !Number.isInteger(scenesCode)) throw new TypeError('`scenesCode` must be an integer');
		if (scenesCode !== undefined) topParams['scenes_code'] = scenesCode;
		const call = async () => transport({method: OSS_TOKEN_METHOD, params: topParams, grant: (await secToken())[0].grant}, {});
		const [record] = await cached(
			`${namespace}oss:${JSON.stringify(topParams)}`,
			callOptions,
			persistOssCredentials,
			isCredentialsRecord,
			// Renewed max(60 s, 10 % of their lifetime) before they expire.
			(record) => isFresh(record, Math.max(60_000, (record.expiresAt - record.obtainedAt) / 10), localNow()),
			async () => {
				let result: CallResult;
				try {
					result = await call();
				} catch (error) {
					if (!needsReauth(error)) throw error;
					// The grant went stale or was refused: get a new secToken (and grant) once, then ask again.
					await secToken({forceRefresh: true});
					result = await call();
				}
				learnClock(result);
				const credentials = credentialsFromAnswer(result.answer, clockOffsetMs);
				return {credentials, expiresAt: credentials.expiresAt};
			},
		);
		return record.credentials;
	};

	return {
		identity,
		storage,
		namespace,
		now: () => localNow() + clockOffsetMs,
		syncClock(serverTimeMs) {
			if (serverTimeMs > 0) clockOffsetMs = serverTimeMs - localNow();
		},
		getSecToken: async (callOptions) => {
			const [{token, expiresAt}, source] = await secToken(callOptions);
			return {token, expiresAt, source};
		},
		getOssCredentials,
		async clear({signal} = {}) {
			memory.clear();
			const keys = await storage.keys(namespace).catch(() => [tokenKey]);
			signal?.throwIfAborted();
			await Promise.all(keys.map((key) => storage.del(key).catch(() => {})));
		},
	};
}
