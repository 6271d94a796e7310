import {isProxyError} from '../errors/proxy-error.js';
import {isTopError} from '../errors/top-error.js';
import type {OssCredentials} from '../oss/types.js';
import {createIdbStorage} from '../storage/idb.js';
import {OSS_TOKEN_METHOD, SEC_TOKEN_METHOD} from '../top/apis.js';
import {topErrorAction} from '../top/response.js';
import {credentialsFromAnswer} from './oss-answer.js';
import {isCredentialsRecord, isFresh, isTokenRecord, type CredentialsRecord, type TokenRecord} from './records.js';
import {createSingleFlight} from './single-flight.js';
import {withTabLock} from './tab-lock.js';
import {createFetchTransport, proxyError, type CallResult} from './transport.js';
import type {CallOptions, ClientOptions, OssCredentialParams, SecToken, TopsecClient} from './types.js';

/** Used when neither the grant nor `secTokenTtlMs` says how long a secToken lives. */
const FALLBACK_TOKEN_TTL_MS = 30 * 60_000;

type Source = SecToken['source'];

const checkString = (value: unknown, name: string) => {
	if (value !== undefined && (typeof value !== 'string' || value.length > 128)) throw new TypeError(`\`${name}\` must be a string of at most 128 characters`);
	return value as string | undefined;
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
	if (!options || typeof options !== 'object') throw new TypeError('The `options` argument must be an object');
	const {identity = {}, proxy, secTokenTtlMs, refreshMarginMs = 60_000, persistOssCredentials} = options;
	// TOP's names for the identity fields, in the order the namespace lists them.
	const identityParams: Record<string, string> = {};
	for (const [field, name] of [['openId', 'open_id'], ['oeid', 'oeid'], ['ieid', 'ieid']] as const) {
		const value = checkString(identity[field], `identity.${field}`);
		if (value) identityParams[name] = value;
	}
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
	let memoryToken: TokenRecord | undefined;
	const memoryCredentials = new Map<string, CredentialsRecord>();

	const learnClock = ({meta, sentAt, receivedAt}: CallResult) => {
		// The server stamped its time somewhere between send and receive; the midpoint halves the error.
		if (Number.isFinite(meta.serverTime)) clockOffsetMs = meta.serverTime! - (sentAt + receivedAt) / 2;
	};

	/** A stored record, or `undefined` when there is none, storage fails, or the value is corrupt or foreign (then it is removed). */
	const read = async <T>(key: string, check: (value: unknown, ns: string) => value is T): Promise<T | undefined> => {
		const value = await storage.get(key).catch(() => undefined);
		if (check(value, namespace)) return value;
		if (value !== undefined) await storage.del(key).catch(() => {});
		return undefined;
	};
	// A full or failing storage must not lose the token: it is in memory either way.
	const write = (key: string, value: unknown) => storage.set(key, value).catch(() => {});
	const fresh = (record: TokenRecord | undefined): record is TokenRecord => !!record && isFresh(record, refreshMarginMs, localNow());

	const fetchToken = async (signal: AbortSignal): Promise<TokenRecord> => {
		const result = await transport({method: SEC_TOKEN_METHOD, params: identityParams}, {signal});
		learnClock(result);
		const token = result.answer['sec_token'];
		if (typeof token !== 'string' || !token) throw proxyError('The proxy answered no usable `sec_token`', 200);
		const obtainedAt = localNow();
		const grant = result.meta.grant;
		const expireSeconds = Number(result.answer['expire_time']);
		const expiresAt = secTokenTtlMs
			? obtainedAt + secTokenTtlMs
			: grant?.expiresAt
				? grant.expiresAt - clockOffsetMs
				: obtainedAt + (expireSeconds > 0 ? expireSeconds * 1000 : FALLBACK_TOKEN_TTL_MS);
		return {v: 1, ns: namespace, token, grant: grant?.value, obtainedAt, expiresAt};
	};

	/** The current token record and its source: memory, else storage, else (under the cross-tab lock) the proxy. */
	const secToken = async ({signal, forceRefresh}: CallOptions = {}): Promise<[TokenRecord, Source]> => {
		if (!forceRefresh && fresh(memoryToken)) return [memoryToken, 'memory'];
		return flight(
			forceRefresh ? 'sectoken!' : 'sectoken',
			async (shared): Promise<[TokenRecord, Source]> => {
				const startedAt = localNow();
				const stored = forceRefresh ? undefined : await read(tokenKey, isTokenRecord);
				if (fresh(stored)) return [(memoryToken = stored), 'storage'];
				return withTabLock(
					tokenKey,
					async (): Promise<[TokenRecord, Source]> => {
						// Another tab may have refreshed while this one waited for the lock.
						const again = await read(tokenKey, isTokenRecord);
						if (fresh(again) && (!forceRefresh || again.obtainedAt >= startedAt)) return [(memoryToken = again), 'storage'];
						memoryToken = await fetchToken(shared);
						await write(tokenKey, memoryToken);
						return [memoryToken, 'network'];
					},
					shared,
				);
			},
			signal,
		);
	};

	const needsReauth = (error: unknown) =>
		(isProxyError(error) && error.subCode.startsWith('topsec.grant-')) || (isTopError(error) && topErrorAction(error.code, error.subCode) === 'reauth');

	// OSS credentials are renewed max(60 s, 10 % of their lifetime) before they expire.
	const credentialsFresh = (record: CredentialsRecord | undefined): record is CredentialsRecord =>
		!!record && isFresh(record, Math.max(60_000, (record.expiresAt - record.obtainedAt) / 10), localNow());

	const getOssCredentials = async (params: OssCredentialParams = {}, {signal, forceRefresh}: CallOptions = {}): Promise<OssCredentials> => {
		const topParams: Record<string, string | number> = {};
		for (const [field, name] of [['merchantCode', 'merchant_code'], ['ouCode', 'ou_code'], ['robotSn', 'robot_sn']] as const) {
			const value = checkString(params[field], field);
			if (value) topParams[name] = value;
		}
		const {scenesCode} = params;
		if (scenesCode !== undefined && !Number.isInteger(scenesCode)) throw new TypeError('`scenesCode` must be an integer');
		if (scenesCode !== undefined) topParams['scenes_code'] = scenesCode;
		const key = `${namespace}oss:${JSON.stringify(topParams)}`;
		const cached = memoryCredentials.get(key);
		if (!forceRefresh && credentialsFresh(cached)) return cached.credentials;
		return flight(
			forceRefresh ? `${key}!` : key,
			async (shared) => {
				const stored = persistOssCredentials && !forceRefresh ? await read(key, isCredentialsRecord) : undefined;
				if (credentialsFresh(stored)) {
					memoryCredentials.set(key, stored);
					return stored.credentials;
				}
				const call = async () => transport({method: OSS_TOKEN_METHOD, params: topParams, grant: (await secToken({signal: shared}))[0].grant}, {signal: shared});
				let result: CallResult;
				try {
					result = await call();
				} catch (error) {
					if (!needsReauth(error)) throw error;
					// The grant went stale or was refused: get a new secToken (and grant) once, then ask again.
					await secToken({signal: shared, forceRefresh: true});
					result = await call();
				}
				learnClock(result);
				const credentials = credentialsFromAnswer(result.answer, clockOffsetMs);
				const record: CredentialsRecord = {v: 1, ns: namespace, obtainedAt: localNow(), expiresAt: credentials.expiresAt, credentials};
				memoryCredentials.set(key, record);
				if (persistOssCredentials) await write(key, record);
				return credentials;
			},
			signal,
		);
	};

	return {
		identity: {...identity},
		storage,
		namespace,
		now: () => localNow() + clockOffsetMs,
		syncClock(serverTimeMs) {
			if (Number.isFinite(serverTimeMs)) clockOffsetMs = serverTimeMs - localNow();
		},
		getSecToken: async (callOptions) => {
			const [{token, expiresAt}, source] = await secToken(callOptions);
			return {token, expiresAt, source};
		},
		getOssCredentials,
		async clear({signal} = {}) {
			memoryToken = undefined;
			memoryCredentials.clear();
			const keys = await storage.keys(namespace).catch(() => [tokenKey]);
			signal?.throwIfAborted();
			await Promise.all(keys.map((key) => storage.del(key).catch(() => {})));
		},
	};
}
