// The side panel: every request the page makes (the SDK's fetch calls, its XMLHttpRequest uploads, the fault
// switches, and the page's own loads), with status and time, and the standing check that the app secret is in
// none of them. The secret never reaches the page: each request and answer is sent to the dev server, which says
// whether the secret occurs in it (see src/dev/leak-check.ts).
import {byId, clock, h} from './util.js';

/** Who a request went to. */
export type LogKind = 'proxy' | 'oss' | 'control' | 'page';

/** One request as the panel shows it. */
export type LogEntry = {
	id: number;
	kind: LogKind;
	method: string;
	url: string;
	startedAt: number;
	/** `undefined` while pending; `0` when no answer came (network error, dropped, aborted). */
	status?: number;
	ms?: number;
	/** What it was: `sec.token.get`, `UploadPart 3`, an error code. */
	note: string;
	/** Cancelled by the page (pause, abort), not failed. */
	aborted?: boolean;
	/** Result of the secret check: `undefined` until the dev server answered. */
	leak?: boolean;
};

export type RequestLog = {
	/** `fetch` that logs; give it to `createClient({fetch})` and use it for the page's own calls. */
	fetch: typeof fetch;
	/** Calls to the proxy since this page loaded. */
	proxyCalls(): number;
	/** Every request logged since this page loaded, oldest first. */
	entries(): readonly LogEntry[];
	/** Told whenever an entry is added or completed. */
	subscribe(listener: (entry: LogEntry) => void): void;
};

const LEAK_CHECK_URL = '/__dev/leak-check';
const MAX_ROWS = 250;

/** The proxy's TOP method names as the log shows them. */
const shortTopMethod = (method: string) => method.replace(/^taobao\./, '').replace(/^wdk\.iot\.wombat\.common\./, '');

/** The OSS operation a request is, from its method and query (what the API reference calls it). */
function ossOperation(method: string, url: URL): string {
	const query = url.searchParams;
	if (query.has('uploads')) return 'InitiateMultipartUpload';
	if (query.has('partNumber')) return `UploadPart ${query.get('partNumber')}`;
	if (query.has('uploadId')) return {POST: 'CompleteMultipartUpload', GET: 'ListParts', DELETE: 'AbortMultipartUpload'}[method] ?? method;
	return {PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject'}[method] ?? method;
}

const xmlCode = (text: string) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1];

/** Whether a finished request failed: no answer (and not cancelled by the page), or an error status. */
export const isError = (entry: LogEntry): boolean => entry.status !== undefined && !entry.aborted && (entry.status === 0 || entry.status >= 400);

/** Sets up the panel in `#log-panel` and starts observing. Call once, before anything makes requests. */
export function createRequestLog(options: {proxy: string}): RequestLog {
	const proxyUrl = new URL(options.proxy, location.href).href;
	const entries: LogEntry[] = [];
	const listeners: Array<(entry: LogEntry) => void> = [];
	const rows = new Map<number, HTMLLIElement>();
	const list = byId<HTMLOListElement>('log-list');
	let nextId = 1;
	let checkAvailable = true;

	const classify = (url: URL): LogKind => {
		if (url.href.split('?')[0] === proxyUrl) return 'proxy';
		if (url.origin !== location.origin) return 'oss';
		if (url.pathname.startsWith('/__emulator/') || url.pathname.startsWith('/__dev/')) return 'control';
		return 'page';
	};

	// The secret check, batched: texts go to the dev server a few at a time.
	let pending: Array<{entry: LogEntry; text: string}> = [];
	let flushTimer: ReturnType<typeof setTimeout> | undefined;
	const flush = async () => {
		flushTimer = undefined;
		const batch = pending;
		pending = [];
		try {
			const response = await originalFetch(LEAK_CHECK_URL, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({texts: batch.map((item) => item.text)})});
			if (!response.ok) throw new Error(`HTTP ${response.status}`);
			const {leaks} = (await response.json()) as {leaks: boolean[]};
			batch.forEach((item, index) => {
				item.entry.leak = leaks[index] === true;
				update(item.entry);
			});
		} catch {
			checkAvailable = false; // Not served by `topsec dev`: say so instead of claiming a result.
			renderSummary();
		}
	};
	const check = (entry: LogEntry, text: string) => {
		pending.push({entry, text});
		flushTimer ??= setTimeout(() => void flush(), 200);
	};

	const add = (kind: LogKind, method: string, url: string, note = ''): LogEntry => {
		const entry: LogEntry = {id: nextId++, kind, method, url, startedAt: Date.now(), note};
		entries.push(entry);
		update(entry);
		return entry;
	};
	const finish = (entry: LogEntry, status: number, ms: number, note: string | undefined, transcript: string, aborted = false) => {
		entry.status = status;
		entry.aborted = aborted;
		entry.ms = Math.round(ms);
		if (note) entry.note = entry.note ? `${entry.note} · ${note}` : note;
		check(entry, transcript);
		update(entry);
	};

	function update(entry: LogEntry) {
		let row = rows.get(entry.id);
		if (!row) {
			row = h('li', {class: `log-row kind-${entry.kind}`});
			rows.set(entry.id, row);
			list.prepend(row); // Newest first, so the latest stays in view.
			while (list.children.length > MAX_ROWS) {
				const last = list.lastElementChild as HTMLLIElement;
				last.remove();
				for (const [id, element] of rows) if (element === last) rows.delete(id);
			}
		}
		const url = new URL(entry.url, location.href);
		const shown = url.origin === location.origin ? `${url.pathname}${url.search}` : `${url.host}${url.pathname}${url.search}`;
		const status = entry.status === undefined ? '…' : entry.aborted ? 'aborted' : entry.status === 0 ? 'failed' : String(entry.status);
		const bad = isError(entry);
		row.className = `log-row kind-${entry.kind}${bad ? ' bad' : ''}${entry.leak ? ' leak' : ''}`;
		row.replaceChildren(
			h('span', {class: 'log-kind'}, entry.kind),
			h('span', {class: 'log-method'}, entry.method),
			h('span', {class: 'log-status'}, status),
			h('span', {class: 'log-ms'}, entry.ms === undefined ? '' : `${entry.ms} ms`),
			h('span', {class: 'log-time'}, clock(entry.startedAt)),
			h('span', {class: 'log-note'}, entry.note + (entry.leak ? ' · SECRET FOUND' : '')),
			h('span', {class: 'log-url', title: entry.url}, shown),
		);
		renderSummary();
		for (const listener of listeners) listener(entry);
	}

	const count = (filter: (entry: LogEntry) => boolean) => entries.reduce((n, entry) => n + (filter(entry) ? 1 : 0), 0);
	let summaryQueued = false;
	function renderSummary() {
		if (summaryQueued) return;
		summaryQueued = true;
		requestAnimationFrame(() => {
			summaryQueued = false;
			byId('log-total').textContent = String(entries.length);
			byId('proxy-calls').textContent = String(count((e) => e.kind === 'proxy'));
			byId('oss-calls').textContent = String(count((e) => e.kind === 'oss'));
			byId('error-calls').textContent = String(count(isError));
			const checked = count((e) => e.leak !== undefined);
			const leaks = entries.filter((e) => e.leak);
			const status = byId('leak-status');
			status.classList.toggle('leak', leaks.length > 0);
			status.classList.toggle('ok', checkAvailable && leaks.length === 0);
			status.textContent = !checkAvailable
				? 'Secret check unavailable: this page is not served by `topsec dev`.'
				: leaks.length
					? `Secret check: ${leaks.length} ${leaks.length === 1 ? 'leak' : 'leaks'}! The app secret is in request #${leaks.map((e) => e.id).join(', #')}.`
					: `Secret check: 0 leaks in ${checked} ${checked === 1 ? 'request' : 'requests'} and answers`;
		});
	}

	// fetch: the SDK's calls to the proxy, the signed GET of a preview, the fault switches.
	const originalFetch = globalThis.fetch.bind(globalThis);
	const loggingFetch: typeof fetch = async (input, init) => {
		const request = new Request(input, init);
		const url = new URL(request.url);
		const kind = classify(url);
		const requestBody = request.body ? await request.clone().text() : '';
		let note = '';
		if (kind === 'proxy') {
			try {
				note = shortTopMethod(String((JSON.parse(requestBody) as {method?: unknown}).method ?? ''));
			} catch {}
		} else if (kind === 'oss') note = ossOperation(request.method, url);
		const entry = add(kind, request.method, request.url, note);
		const started = performance.now();
		const transcript = [`${request.method} ${request.url}`, ...[...request.headers].map(([name, value]) => `${name}: ${value}`), '', requestBody].join('\n');
		try {
			const response = await originalFetch(request);
			const text = await response.clone().text().catch(() => '');
			let answerNote: string | undefined;
			if (kind === 'proxy') {
				try {
					const body = JSON.parse(text) as {error_response?: {sub_code?: string; code?: number}};
					if (body.error_response) answerNote = body.error_response.sub_code ?? `error ${body.error_response.code}`;
				} catch {}
			} else if (kind === 'oss' && !response.ok) answerNote = xmlCode(text);
			finish(entry, response.status, performance.now() - started, answerNote, `${transcript}\n\n${[...response.headers].map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${text}`);
			return response;
		} catch (error) {
			const aborted = request.signal.aborted;
			finish(entry, 0, performance.now() - started, aborted ? undefined : 'no answer', transcript, aborted);
			throw error;
		}
	};

	// XMLHttpRequest: the uploader uses it for progress events. Patch the prototype so every instance is seen.
	type XhrMeta = {method: string; url: string; headers: string[]};
	const meta = new WeakMap<XMLHttpRequest, XhrMeta>();
	const proto = XMLHttpRequest.prototype;
	const open = proto.open as (this: XMLHttpRequest, ...args: unknown[]) => void;
	const setRequestHeader = proto.setRequestHeader;
	const send = proto.send;
	proto.open = function (this: XMLHttpRequest, ...args: unknown[]) {
		meta.set(this, {method: String(args[0]).toUpperCase(), url: new URL(String(args[1]), location.href).href, headers: []});
		open.apply(this, args);
	} as typeof proto.open;
	proto.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
		meta.get(this)?.headers.push(`${name}: ${value}`);
		setRequestHeader.call(this, name, value);
	};
	proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
		const info = meta.get(this);
		if (info) {
			const url = new URL(info.url);
			const kind = classify(url);
			const entry = add(kind, info.method, info.url, kind === 'oss' ? ossOperation(info.method, url) : '');
			const started = performance.now();
			// File bytes are the user's data, not something the SDK adds: describe them rather than scanning them.
			const bodyText = typeof body === 'string' ? body : body == null ? '' : `[${(body as Blob).size ?? (body as ArrayBufferView).byteLength ?? '?'} bytes of file data]`;
			let aborted = false;
			this.addEventListener('abort', () => (aborted = true));
			this.addEventListener('loadend', () => {
				const text = this.responseType === '' || this.responseType === 'text' ? this.responseText : '';
				const note = aborted ? undefined : this.status === 0 ? 'no answer' : this.status >= 400 ? xmlCode(text) : undefined;
				finish(entry, this.status, performance.now() - started, note, `${info.method} ${info.url}\n${info.headers.join('\n')}\n\n${bodyText}\n\n${this.getAllResponseHeaders()}\n${text}`, aborted);
			});
		}
		send.call(this, body);
	};

	// Everything else the page loads (the document, script, stylesheet), from resource timing.
	const observeLoads = (list: PerformanceObserverEntryList) => {
		for (const timing of list.getEntries() as PerformanceResourceTiming[]) {
			if (timing.initiatorType === 'fetch' || timing.initiatorType === 'xmlhttprequest' || timing.name.startsWith('blob:') || timing.name.startsWith('data:')) continue;
			const entry = add('page', 'GET', timing.name, timing.initiatorType === 'navigation' ? 'this page' : timing.initiatorType);
			entry.startedAt = performance.timeOrigin + timing.startTime;
			const status = (timing as PerformanceResourceTiming & {responseStatus?: number}).responseStatus ?? 200;
			finish(entry, status, timing.duration, undefined, `GET ${timing.name}`);
		}
	};
	for (const type of ['navigation', 'resource']) new PerformanceObserver(observeLoads).observe({type, buffered: true});

	renderSummary();
	return {
		fetch: loggingFetch,
		proxyCalls: () => count((e) => e.kind === 'proxy'),
		entries: () => entries,
		subscribe: (listener) => void listeners.push(listener),
	};
}
