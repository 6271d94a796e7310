// The first demo page: a secToken through the proxy, kept in IndexedDB. Plain TypeScript, no framework.
import {createClient, isTopsecError, type TopsecClient} from '../src/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const proxy = new URLSearchParams(location.search).get('proxy') ?? '/top';
const mask = (text: string) => (text.length <= 10 ? '•'.repeat(text.length) : `${text.slice(0, 6)}…${text.slice(-4)}`);

let proxyCalls = 0;
const countingFetch: typeof fetch = (input, init) => {
	proxyCalls++;
	$('proxy-calls').textContent = String(proxyCalls);
	return fetch(input, init);
};

const form = $<HTMLFormElement>('identity');
const identity = () => {
	const data = new FormData(form);
	const value = (name: string) => String(data.get(name) ?? '').trim() || undefined;
	return {openId: value('openId'), oeid: value('oeid'), ieid: value('ieid')};
};
// Remember the identity so a reload asks for the same one.
const saved = sessionStorage.getItem('topsec-demo-identity');
if (saved) for (const [name, value] of Object.entries(JSON.parse(saved) as Record<string, string>)) (form.elements.namedItem(name) as HTMLInputElement).value = value ?? '';

let client: TopsecClient | undefined;
let clientKey = '';
const currentClient = () => {
	const id = identity();
	const key = JSON.stringify(id);
	if (!client || key !== clientKey) {
		client = createClient({proxy, identity: id, fetch: countingFetch});
		clientKey = key;
		sessionStorage.setItem('topsec-demo-identity', key);
	}
	return client;
};

async function showRecord(c: TopsecClient) {
	const record = (await c.storage.get(`${c.namespace}sectoken`)) as Record<string, unknown> | undefined;
	$('storage-kind').textContent = c.storage.kind;
	$('record').textContent = record
		? JSON.stringify({...record, token: mask(String(record['token'])), grant: record['grant'] ? mask(String(record['grant'])) : undefined}, null, 2)
		: '(nothing stored)';
}

async function run(action: (c: TopsecClient) => Promise<void>) {
	const error = $('error');
	error.hidden = true;
	try {
		await action(currentClient());
	} catch (caught) {
		error.hidden = false;
		error.textContent = isTopsecError(caught) ? `${caught.name}: ${caught.message}` : String(caught);
	}
}

const getToken = (forceRefresh: boolean) =>
	run(async (c) => {
		const t = await c.getSecToken({forceRefresh});
		$('token').textContent = mask(t.token);
		$('source').textContent = t.source;
		$('expires').textContent = new Date(t.expiresAt).toLocaleString();
		await showRecord(c);
	});

form.addEventListener('submit', (event) => {
	event.preventDefault();
	void getToken(false);
});
$('refresh-token').addEventListener('click', () => void getToken(true));
$('clear').addEventListener('click', () =>
	run(async (c) => {
		await c.clear();
		$('token').textContent = $('source').textContent = $('expires').textContent = '—';
		await showRecord(c);
	}),
);

// On load: show what is stored, and fetch (from storage, if it is there) straight away.
void getToken(false);
