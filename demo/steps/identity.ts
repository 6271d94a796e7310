// Steps 1 and 2: a secToken for an identity, where it came from, the IndexedDB record; then a reload that reads it
// from storage without calling the proxy.
import type {Identity, SecToken, TopsecClient} from '../../src/index.js';
import type {RequestLog} from '../request-log.js';
import type {Session} from '../session.js';
import {byId, describeError, mask} from '../util.js';
import {markDone} from './state.js';

/** Set once this tab got a token, so a reload reads it again without a click. */
const FETCHED_KEY = 'topsec-demo-token-fetched';

const SOURCE_TEXT: Record<SecToken['source'], string> = {
	network: 'network — fetched through the proxy just now',
	storage: 'storage — read from IndexedDB, kept by an earlier page',
	memory: 'memory — this page had it already',
};

const FIELDS = ['openId', 'oeid', 'ieid'] as const;

export function setupIdentityStep(session: Session, log: RequestLog): void {
	const form = byId<HTMLFormElement>('identity-form');
	const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
	const saved = session.savedIdentity();
	if (saved) for (const name of FIELDS) input(name).value = saved[name] ?? '';
	const identity = (): Identity => {
		const result: Identity = {};
		for (const name of FIELDS) {
			const value = input(name).value.trim();
			if (value) result[name] = value;
		}
		return result;
	};
	const error = byId('token-error');

	async function showRecord(client: TopsecClient) {
		const key = `${client.namespace}sectoken`;
		byId('storage-kind').textContent = client.storage.kind === 'indexeddb' ? 'IndexedDB (database “topsec”, store “records”)' : `${client.storage.kind} (IndexedDB is unavailable here)`;
		byId('record-key').textContent = `key: ${key}`;
		const record = (await client.storage.get(key).catch(() => undefined)) as Record<string, unknown> | undefined;
		if (!record) {
			byId('record').textContent = '(nothing stored)';
			return;
		}
		const shown: Record<string, unknown> = {...record, token: mask(String(record['token']))};
		if (typeof record['grant'] === 'string') shown['grant'] = mask(record['grant']);
		for (const field of ['obtainedAt', 'expiresAt']) if (typeof record[field] === 'number') shown[field] = `${record[field]} (${new Date(record[field] as number).toLocaleString()})`;
		byId('record').textContent = JSON.stringify(shown, null, 2);
	}

	async function getToken(forceRefresh: boolean): Promise<SecToken | undefined> {
		error.hidden = true;
		let client: TopsecClient;
		try {
			client = session.setIdentity(identity());
		} catch (caught) {
			error.textContent = describeError(caught);
			error.hidden = false;
			return undefined;
		}
		byId('token-source').textContent = 'asking…';
		try {
			const token = await client.getSecToken({forceRefresh});
			byId('token').textContent = mask(token.token);
			const source = byId('token-source');
			source.textContent = SOURCE_TEXT[token.source];
			source.dataset['source'] = token.source;
			byId('token-expires').textContent = new Date(token.expiresAt).toLocaleString();
			await showRecord(client);
			markDone('identity');
			try {
				sessionStorage.setItem(FETCHED_KEY, '1');
			} catch {}
			return token;
		} catch (caught) {
			byId('token-source').textContent = '—';
			error.textContent = describeError(caught);
			error.hidden = false;
			return undefined;
		}
	}

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		void getToken(false);
	});
	byId('force-refresh').addEventListener('click', () => void getToken(true));
	byId('clear-stored').addEventListener('click', async () => {
		const client = session.setIdentity(identity());
		await client.clear();
		for (const id of ['token', 'token-source', 'token-expires']) byId(id).textContent = '—';
		delete byId('token-source').dataset['source'];
		try {
			sessionStorage.removeItem(FETCHED_KEY);
		} catch {}
		await showRecord(client);
		byId('reload-verdict').textContent = 'Stored token cleared. Get a secToken first, then reload.';
	});

	// Step 2.
	byId('reload').addEventListener('click', () => location.reload());
	let fetchedBefore = false;
	try {
		fetchedBefore = sessionStorage.getItem(FETCHED_KEY) === '1';
	} catch {}
	if (!fetchedBefore) return;
	const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
	const reloaded = navigation?.type === 'reload';
	void getToken(false).then((token) => {
		if (!token) return;
		const calls = log.proxyCalls(); // Taken now: later steps call the proxy on purpose.
		const verdict = byId('reload-verdict');
		const how = reloaded ? 'After the reload' : 'On this page load';
		if (token.source === 'storage' && calls === 0) {
			verdict.textContent = `✓ ${how} the secToken came from IndexedDB (source: storage) and the page made 0 calls to the proxy.`;
			verdict.classList.add('ok');
			markDone('reload');
		} else {
			verdict.textContent = `${how} the secToken came from ${token.source}, with ${calls} proxy ${calls === 1 ? 'call' : 'calls'}${token.source === 'network' ? ' (the stored one was missing or about to expire)' : ''}.`;
		}
	});
}
