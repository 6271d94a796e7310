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
import {createFetchTransport, type CallResult} from './transport.js';
import type {CallOptions, ClientOptions, OssCredentialParams, SecToken, TopsecClient} from './types.js';
import {ProxyError} from '../errors/proxy-error.js';

/** Used when neither the grant nor `secTokenTtlMs` says how long a secToken lives. */
const FALLBACK_TOKEN_TTL_MS = 30 * 60_000;
/** OSS credentials are refreshed max(60 s, 10 % of their lifetime) early. */
const OSS_MIN_MARGIN_MS = 60_000;

const optionalString = (value: unknown, name: string) => {
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
	if (typeof options !== 'object' || options === null) throw new TypeError('The `options` argument must be an object');
	const {identity, proxy, secTokenTtlMs, refreshMarginMs = 60_000, persistOssCredentials = false} = options;
	if (typeof identity !== 'object' || identity === null) throw new TypeError('`identity` must be an object with `openId`, `oeid` or `ieid`');
	const openId = optionalString(identity.openId, 'identity.openId');
	const oeid = optionalString(identity.oeid, 'identity.oeid');
	const ieid = optionalString(identity.ieid, 'identity.ieid');
	if (!openId && !oeid && !ieid) throw new TypeError('`identity` needs at least one of `openId`, `oeid`, `ieid`');
	if (!options.transport && (typeof proxy !== 'string' || !proxy)) throw new TypeError('`proxy` must be the URL of the topsec proxy');
	if (secTokenTtlMs !== undefined && !(secTokenTtlMs > 0)) throw new TypeError('`secTokenTtlMs` must be a positive number');
	if (!(refreshMarginMs >= 0)) throw new TypeError('`refreshMarginMs` must be a non-negative number');

	const localNow = options.now ?? Date.now;
	const storage = options.storage ?? createIdbStorage(options.onStorageFallback ? {onFallback: options.onStorageFallback} : {});
	const transport = options.transport ?? createFetchTransport({proxy: proxy!, ...(options.fetch ? {fetch: options.fetch} : {})});
	const flight = createSingleFlight();
	const namespace = `topsec:${proxy ?? ''}|${openId ?? ''}|${oeid ?? ''}|${ieid ?? ''}|`;
	const tokenKey = `${namespace}sectoken`;
	const identityParams: Record<string, string> = {};
	if (openId) identityParams['open_id'] = openId;
	if (oeid) identityParams['oeid'] = oeid;
	if (ieid) identityParams['ieid'] = ieid;

	let clockOffsetMs = 0;
	let memoryToken: TokenRecord | undefined;
	const memoryCredentials = new Map<string, CredentialsRecord>();
	const now = () => localNow() + clockOffsetMs;

	const learnClock = ({meta, sentAt, receivedAt}: CallResult) => {
		// The server stamped its time somewhere between send and receive; the midpoint halves the error.
		if (typeof meta.serverTime === 'number' && Number.isFinite(meta.serverTime)) clockOffsetMs = meta.serverTime - (sentAt + receivedAt) / 2;
	};

	const read = async <T>(key: string, check: (value: unknown) => value is T): Promise<T | undefined> => {
		let value: unknown;
		try {
			value = await storage.get(key);
		} catch {
			return undefined; // A storage that fails to read is a storage with nothing in it.
		}
		if (value === undefined || check(value)) return value as T | undefined;
		await storage.del(key).catch(() => {}); // Corrupt or foreign: discard, then fetch anew.
		return undefined;
	};
	const write = (key: string, value: unknown) => storage.set(key, value).catch(() => {}); // Quota errors must not lose the token.

	const tokenFresh = (record: TokenRecord) => isFresh(record.obtainedAt, record.expiresAt, refreshMarginMs, localNow());
	const asSecToken = (record: TokenRecord, source: SecToken['source']): SecToken => ({token: record.token, expiresAt: record.expiresAt, source});

	const fetchToken = async (signal: AbortSignal): Promise<TokenRecord> => {
		const result = await transport({method: SEC_TOKEN_METHOD, params: identityParams}, {signal});
		learnClock(result);
		const token = result.answer['sec_token'];
		if (typeof token !== 'string' || !token) throw new ProxyError('The secToken answer has no `sec_token`', {status: 200, subCode: 'topsec.bad-response'});
		const obtainedAt = localNow();
		const grant = result.meta.grant;
		const expireSeconds = Number(result.answer['expire_time']);
		const expiresAt =
			secTokenTtlMs !== undefined
				? obtainedAt + secTokenTtlMs
				: grant && Number.isFinite(grant.expiresAt)
					? grant.expiresAt - clockOffsetMs
					: obtainedAt + (expireSeconds > 0 ? expireSeconds * 1000 : FALLBACK_TOKEN_TTL_MS);
		return {v: 1, ns: namespace, token, grant: grant?.value, obtainedAt, expiresAt};
	};

	/** The current token record, fetching as the contract says. */
	const secToken = async ({signal, forceRefresh = false}: CallOptions = {}): Promise<[TokenRecord, SecToken['source']]> => {
		if (!forceRefresh && memoryToken && tokenFresh(memoryToken)) return [memoryToken, 'memory'];
		return flight(
			forceRefresh ? 'sectoken!' : 'sectoken',
			async (shared) => {
				const startedAt = localNow();
				const stored = forceRefresh ? undefined : await read(tokenKey, (v): v is TokenRecord => isTokenRecord(v, namespace));
				if (stored && tokenFresh(stored)) return [(memoryToken = stored), 'storage'] as [TokenRecord, SecToken['source']];
				return withTabLock(
					tokenKey,
					async (): Promise<[TokenRecord, SecToken['source']]> => {
						// Another tab may have refreshed while this one waited for the lock.
						const again = await read(tokenKey, (v): v is TokenRecord => isTokenRecord(v, namespace));
						if (again && tokenFresh(again) && (!forceRefresh || again.obtainedAt >= startedAt)) return [(memoryToken = again), 'storage'];
						const record = await fetchToken(shared);
						memoryToken = record;
						await write(tokenKey, record);
						return [record, 'network'];
					},
					shared,
				);
			},
			signal,
		);
	};

	const needsReauth = (error: unknown) =>
		(isProxyError(error) && error.subCode.startsWith('topsec.grant-')) || (isTopError(error) && topErrorAction(error.code, error.subCode) === 'reauth');

	const credentialsFresh = ({obtainedAt, credentials}: CredentialsRecord) =>
		isFresh(obtainedAt, credentials.expiresAt, Math.max(OSS_MIN_MARGIN_MS, (credentials.expiresAt - obtainedAt) / 10), localNow());

	const getOssCredentials = async (params: OssCredentialParams = {}, {signal, forceRefresh = false}: CallOptions = {}): Promise<OssCredentials> => {
		if (typeof params !== 'object' || params === null) throw new TypeError('The `params` argument must be an object');
		const topParams: Record<string, string | number> = {};
		for (const [field, name] of [['merchantCode', 'merchant_code'], ['ouCode', 'ou_code'], ['robotSn', 'robot_sn']] as const) {
			const value = optionalString(params[field], field);
			if (value) topParams[name] = value;
		}
		if (params.scenesCode !== undefined) {
			if (typeof params.scenesCode !== 'number' || !Number.isInteger(params.scenesCode)) throw new TypeError('`scenesCode` must be an integer');
			topParams['scenes_code'] = params.scenesCode;
		}
		const key = `${namespace}oss:${JSON.stringify(topParams)}`;
		const cached = memoryCredentials.get(key);
		if (!forceRefresh && cached && credentialsFresh(cached)) return cached.credentials;
		return flight(
			forceRefresh ? `${key}!` : key,
			async (shared) => {
				if (persistOssCredentials && !forceRefresh) {
					const stored = await read(key, (v): v is CredentialsRecord => isCredentialsRecord(v, namespace));
					if (stored && credentialsFresh(stored)) {
						memoryCredentials.set(key, stored);
						return stored.credentials;
					}
				}
				const call = async () => {
					const [token] = await secToken({signal: shared});
					return transport({method: OSS_TOKEN_METHOD, params: topParams, grant: token.grant}, {signal: shared});
				};
				let result: CallResult;
				try {
					result = await call();
				} catch (error) {
					if (!needsReauth(error)) throw error;
					await secToken({signal: shared, forceRefresh: true});
					result = await call();
				}
				learnClock(result);
				const record: CredentialsRecord = {v: 1, ns: namespace, obtainedAt: localNow(), credentials: credentialsFromAnswer(result.answer, clockOffsetMs)};
				memoryCredentials.set(key, record);
				if (persistOssCredentials) await write(key, record);
				return record.credentials;
			},
			signal,
		);
	};

	return {
		identity: Object.freeze({...identity}),
		storage,
		namespace,
		now,
		syncClock(serverTimeMs) {
			if (Number.isFinite(serverTimeMs)) clockOffsetMs = serverTimeMs - localNow();
		},
		getSecToken: async (callOptions) => {
			const [record, source] = await secToken(callOptions);
			return asSecToken(record, source);
		},
		getOssCredentials,
		async clear({signal} = {}) {
			memoryToken = undefined;
			memoryCredentials.clear();
			let keys: string[] = [tokenKey];
			try {
				keys = await storage.keys(namespace);
			} catch {}
			signal?.throwIfAborted();
			await Promise.all(keys.map((key) => storage.del(key).catch(() => {})));
		},
	};
}
