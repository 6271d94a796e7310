// The demo's one client (re-created when the identity changes) and the OSS credentials it hands out, so every step
// sees the same state. Uploads get the client through `uploadClient()`, which reports each credentials set the SDK
// uses: a renewal after `SecurityTokenExpired` shows up in step 3 as it happens.
import {createClient, type Identity, type OssCredentialParams, type OssCredentials, type TopsecClient} from '../src/index.js';
import type {UploadClient} from '../src/oss/index.js';

const IDENTITY_KEY = 'topsec-demo-identity';

export type CredentialsEvent = {credentials: OssCredentials; renewed: boolean; count: number};

export type Session = {
	/** The current client (created on first use from the saved or default identity). */
	client(): TopsecClient;
	/** Uses `identity` from now on; returns the client for it. */
	setIdentity(identity: Identity): TopsecClient;
	/** The identity saved by an earlier page load of this tab, if any. */
	savedIdentity(): Identity | undefined;
	/** Params for `getOssCredentials`, as step 3's form has them. */
	credentialParams: OssCredentialParams;
	/** `client.getOssCredentials` with reporting. */
	getCredentials(forceRefresh?: boolean): Promise<OssCredentials>;
	/** The client for `upload()`: the same client, with credentials reported as they are used. */
	uploadClient(): UploadClient;
	onCredentials(listener: (event: CredentialsEvent) => void): void;
};

export function createSession(options: {proxy: string; fetch: typeof fetch; defaultIdentity: Identity}): Session {
	let current: TopsecClient | undefined;
	let currentKey = '';
	let lastKeyId: string | undefined;
	let count = 0;
	const listeners: Array<(event: CredentialsEvent) => void> = [];

	const savedIdentity = (): Identity | undefined => {
		try {
			const saved = sessionStorage.getItem(IDENTITY_KEY);
			return saved ? (JSON.parse(saved) as Identity) : undefined;
		} catch {
			return undefined;
		}
	};
	const setIdentity = (identity: Identity) => {
		const key = JSON.stringify(identity);
		if (!current || key !== currentKey) {
			current = createClient({proxy: options.proxy, identity, fetch: options.fetch});
			currentKey = key;
			lastKeyId = undefined;
			try {
				sessionStorage.setItem(IDENTITY_KEY, key);
			} catch {}
		}
		return current;
	};
	const client = () => current ?? setIdentity(savedIdentity() ?? options.defaultIdentity);

	const report = (credentials: OssCredentials) => {
		if (credentials.accessKeyId === lastKeyId) return;
		const renewed = lastKeyId !== undefined;
		lastKeyId = credentials.accessKeyId;
		count++;
		for (const listener of listeners) listener({credentials, renewed, count});
	};

	const session: Session = {
		client,
		setIdentity,
		savedIdentity,
		credentialParams: {merchantCode: 'm1'},
		async getCredentials(forceRefresh = false) {
			const credentials = await client().getOssCredentials(session.credentialParams, {forceRefresh});
			report(credentials);
			return credentials;
		},
		uploadClient() {
			const base = client();
			return {
				storage: base.storage,
				namespace: base.namespace,
				now: () => base.now(),
				syncClock: (serverTimeMs) => base.syncClock(serverTimeMs),
				async getOssCredentials(params, callOptions) {
					const credentials = await base.getOssCredentials(params, callOptions);
					report(credentials);
					return credentials;
				},
			};
		},
		onCredentials: (listener) => void listeners.push(listener),
	};
	return session;
}
