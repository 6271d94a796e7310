// Step 4: choose or drop files (several at once); each gets a progress bar with speed and ETA, Pause/Resume and
// Abort; all feed the throughput plot. Multipart uploads keep a checkpoint in IndexedDB, so after a reload choosing
// the same file again resumes where it stopped.
import {upload, type UploadResult} from '../../src/oss/index.js';
import type {ThroughputPlot} from '../plot.js';
import {isError, type RequestLog} from '../request-log.js';
import type {Session} from '../session.js';
import {makeTestFile} from '../test-file.js';
import {byId, describeError, formatBytes, formatDuration, h} from '../util.js';
import {markDone} from './state.js';

const MiB = 1024 * 1024;
/** Small parts and a low threshold so that pausing, resuming and recovering are easy to watch on a fast machine. */
export const DEMO_UPLOAD_OPTIONS = {multipartThreshold: 2 * MiB, partSize: MiB, concurrency: 3} as const;
const SPEED_WINDOW_MS = 3000;

type State = 'uploading' | 'pausing' | 'paused' | 'aborting' | 'aborted' | 'done' | 'failed';
const STATE_TEXT: Record<State, string> = {
	uploading: 'uploading',
	pausing: 'pausing…',
	paused: 'paused',
	aborting: 'aborting…',
	aborted: 'aborted',
	done: 'done',
	failed: 'failed',
};

type Item = {
	file: File;
	multipart: boolean;
	state: State;
	loaded: number;
	/** Bytes already on OSS when the current run started (a resume). */
	resumedFrom: number;
	lastLoaded: number | undefined;
	samples: Array<{at: number; loaded: number}>;
	controller: AbortController | undefined;
	intent: 'pause' | 'abort' | undefined;
	drawQueued: boolean;
	view: {row: HTMLLIElement; bar: HTMLProgressElement; state: HTMLElement; stats: HTMLElement; note: HTMLElement; pause: HTMLButtonElement; abort: HTMLButtonElement};
};

/** What an upload checkpoint in storage looks like, as far as this page needs to know. */
type CheckpointView = {key: string; size: number; partSize: number; parts: Record<string, unknown>};
const isCheckpointView = (value: unknown): value is CheckpointView => {
	const record = value as Partial<CheckpointView> | undefined;
	return typeof record === 'object' && record !== null && typeof (record as {uploadId?: unknown}).uploadId === 'string' && typeof record.key === 'string' && typeof record.size === 'number' && typeof record.partSize === 'number' && typeof record.parts === 'object';
};
/** The file name inside a default object key (`<dir><day>/<random>-<name>`). */
const nameInKey = (key: string) => (key.split('/').pop() ?? key).replace(/^[a-z0-9]{10}-/, '');

export function setupUploadStep(session: Session, log: RequestLog, plot: ThroughputPlot, onDone: (result: UploadResult, file: File) => void): void {
	const list = byId<HTMLUListElement>('uploads');
	const input = byId<HTMLInputElement>('file-input');
	const zone = byId('drop-zone');
	const announce = (text: string) => (byId('upload-status').textContent = text);

	const options = () => ({...DEMO_UPLOAD_OPTIONS, credentials: session.credentialParams});

	function draw(item: Item) {
		if (item.drawQueued) return;
		item.drawQueued = true;
		requestAnimationFrame(() => {
			item.drawQueued = false;
			const {view, file, state} = item;
			const total = file.size;
			view.row.className = `upload state-${state}`;
			view.state.textContent = STATE_TEXT[state];
			view.bar.max = Math.max(total, 1);
			view.bar.value = total === 0 ? (state === 'done' ? 1 : 0) : item.loaded;
			const percent = total === 0 ? (state === 'done' ? 100 : 0) : Math.floor((item.loaded / total) * 100);
			let stats = `${percent} % · ${formatBytes(item.loaded)} of ${formatBytes(total)}`;
			if (state === 'uploading') {
				const first = item.samples[0];
				const last = item.samples.at(-1);
				const speed = first && last && last.at - first.at > 250 ? ((last.loaded - first.loaded) * 1000) / (last.at - first.at) : undefined;
				stats += speed === undefined ? ' · measuring speed…' : ` · ${formatBytes(speed)}/s · ${speed > 0 ? formatDuration(((total - item.loaded) / speed) * 1000) : '—'} left`;
			}
			view.stats.textContent = stats;
			view.pause.hidden = !item.multipart || !['uploading', 'paused'].includes(state);
			view.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
			view.pause.setAttribute('aria-label', `${state === 'paused' ? 'Resume' : 'Pause'} ${file.name}`);
			view.abort.hidden = !['uploading', 'paused', 'failed'].includes(state);
		});
	}

	function progress(item: Item, loaded: number) {
		const at = performance.now();
		if (item.lastLoaded === undefined) {
			if (loaded > 0) item.resumedFrom = loaded; // The first event of a run already counts parts OSS holds.
		} else plot.add(loaded - item.lastLoaded);
		item.lastLoaded = loaded;
		item.loaded = loaded;
		item.samples.push({at, loaded});
		while (item.samples.length > 2 && at - item.samples[0]!.at > SPEED_WINDOW_MS) item.samples.shift();
		draw(item);
	}

	/** Abort for good: the SDK removes the multipart upload and the checkpoint. Only public API: an upload() with
	`keepOnAbort: false`, aborted at its first progress event (after it found the checkpoint, before any part). */
	async function discard(item: Item) {
		const controller = new AbortController();
		await upload(session.uploadClient(), item.file, {
			...options(),
			keepOnAbort: false,
			signal: controller.signal,
			onProgress: () => controller.abort(new DOMException('Aborted by the user', 'AbortError')),
		}).catch(() => {});
	}

	async function run(item: Item) {
		const controller = new AbortController();
		Object.assign(item, {controller, intent: undefined, lastLoaded: undefined, resumedFrom: 0, samples: [], state: 'uploading'});
		item.view.note.textContent = '';
		draw(item);
		try {
			const result = await upload(session.uploadClient(), item.file, {
				...options(),
				signal: controller.signal,
				keepOnAbort: true, // Pause keeps the multipart upload; Abort removes it afterwards (discard).
				onProgress: ({loaded}) => progress(item, loaded),
			});
			item.state = 'done';
			item.loaded = item.file.size;
			const parts = item.multipart ? Math.ceil(item.file.size / DEMO_UPLOAD_OPTIONS.partSize) : 0;
			item.view.note.textContent = item.resumedFrom
				? `Resumed: ${formatBytes(item.resumedFrom)} were already on OSS, so only ${result.partsSent} of ${parts} parts were sent now.`
				: item.multipart
					? `${result.partsSent} parts of ${formatBytes(DEMO_UPLOAD_OPTIONS.partSize)}, CRC-64 checked.`
					: 'One signed PUT, CRC-64 checked.';
			const recovered = recoveries(result.url);
			if (recovered) item.view.note.textContent += ` Recovered from ${recovered}.`;
			announce(`${item.file.name} uploaded.`);
			markDone('upload');
			onDone(result, item.file);
		} catch (error) {
			if (controller.signal.aborted && item.intent === 'abort') {
				item.state = 'aborting';
				draw(item);
				if (item.multipart) await discard(item);
				item.state = 'aborted';
				item.view.note.textContent = item.multipart ? 'Aborted: the multipart upload and its checkpoint were removed.' : 'Aborted.';
			} else if (controller.signal.aborted) {
				item.state = 'paused';
				item.view.note.textContent = 'Paused: the parts sent so far stay on OSS; Resume sends the rest. After a reload, choose the same file again.';
			} else {
				item.state = 'failed';
				item.view.note.textContent = `Failed: ${describeError(error)}`;
			}
			announce(`${item.file.name}: ${STATE_TEXT[item.state]}.`);
		}
		draw(item);
		void refreshUnfinished();
	}

	/** The failed requests for object `url` the SDK got past, from the request log: `3 failed requests (…)`. */
	function recoveries(url: string): string {
		const failed = log.entries().filter((entry) => entry.kind === 'oss' && entry.url.startsWith(url) && isError(entry));
		if (!failed.length) return '';
		const reasons = new Map<string, number>();
		for (const entry of failed) {
			const reason = entry.status === 0 ? 'connection lost' : (/[A-Z][A-Za-z]+$/.exec(entry.note)?.[0] ?? `HTTP ${entry.status}`);
			reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
		}
		return `${failed.length} failed ${failed.length === 1 ? 'request' : 'requests'} (${[...reasons].map(([reason, n]) => `${reason} ×${n}`).join(', ')})`;
	}

	function add(file: File) {
		const label = `${file.name} upload progress`;
		const view = {
			row: h('li', {class: 'upload'}),
			bar: h('progress', {'aria-label': label, max: 1, value: 0}),
			state: h('span', {class: 'upload-state'}),
			stats: h('div', {class: 'upload-stats'}),
			note: h('div', {class: 'upload-note'}),
			pause: h('button', {type: 'button'}, 'Pause'),
			abort: h('button', {type: 'button', 'aria-label': `Abort ${file.name}`}, 'Abort'),
		};
		view.row.append(
			h('div', {class: 'upload-head'}, h('span', {class: 'upload-name'}, file.name), h('span', {class: 'muted'}, formatBytes(file.size)), view.state),
			view.bar,
			view.stats,
			view.note,
			h('div', {class: 'row'}, view.pause, view.abort),
		);
		const item: Item = {file, multipart: file.size > DEMO_UPLOAD_OPTIONS.multipartThreshold, state: 'uploading', loaded: 0, resumedFrom: 0, lastLoaded: undefined, samples: [], controller: undefined, intent: undefined, drawQueued: false, view};
		view.pause.addEventListener('click', () => {
			if (item.state === 'uploading') {
				item.intent = 'pause';
				item.state = 'pausing';
				item.controller?.abort(new DOMException('Paused by the user', 'AbortError'));
				draw(item);
			} else if (item.state === 'paused') void run(item);
		});
		view.abort.addEventListener('click', async () => {
			if (item.state === 'uploading') {
				item.intent = 'abort';
				item.state = 'aborting';
				item.controller?.abort(new DOMException('Aborted by the user', 'AbortError'));
				draw(item);
			} else if (item.state === 'paused' || item.state === 'failed') {
				item.state = 'aborting';
				draw(item);
				if (item.multipart) await discard(item);
				item.state = 'aborted';
				item.view.note.textContent = item.multipart ? 'Aborted: the multipart upload and its checkpoint were removed.' : 'Aborted.';
				draw(item);
				void refreshUnfinished();
			}
		});
		list.prepend(view.row);
		void run(item);
	}

	const addAll = (files: Iterable<File>) => {
		for (const file of files) add(file);
	};

	// The picker, the keyboard-operable drop zone, and drag and drop.
	input.addEventListener('change', () => {
		if (input.files) addAll(Array.from(input.files));
		input.value = ''; // Choosing the same file again (to resume) must fire `change` again.
	});
	// Chromium opens no picker for `input.click()` inside a keydown handler; `showPicker()` works there (and is
	// refused only where pickers are, e.g. cross-origin frames: then `click()` is the fallback).
	const openPicker = () => {
		try {
			input.showPicker();
		} catch {
			input.click();
		}
	};
	// As a native button: Enter on keydown, Space on keyup (and Space must not scroll the page).
	zone.addEventListener('click', openPicker);
	zone.addEventListener('keydown', (event) => {
		if (event.key === 'Enter' && !event.repeat) {
			event.preventDefault();
			openPicker();
		} else if (event.key === ' ') event.preventDefault();
	});
	zone.addEventListener('keyup', (event) => {
		if (event.key === ' ') {
			event.preventDefault();
			openPicker();
		}
	});
	zone.addEventListener('dragover', (event) => {
		event.preventDefault();
		zone.classList.add('over');
	});
	zone.addEventListener('dragleave', () => zone.classList.remove('over'));
	zone.addEventListener('drop', (event) => {
		event.preventDefault();
		zone.classList.remove('over');
		if (event.dataTransfer?.files.length) addAll(Array.from(event.dataTransfer.files));
	});
	// Dropping a file anywhere else must not navigate away from the page (and lose the uploads).
	window.addEventListener('dragover', (event) => event.preventDefault());
	window.addEventListener('drop', (event) => event.preventDefault());
	byId('make-test-file').addEventListener('click', () => add(makeTestFile(24 * MiB)));

	/** Lists the multipart checkpoints the client keeps in storage: uploads a reload interrupted, or paused ones. */
	async function refreshUnfinished() {
		const client = session.client();
		const found: CheckpointView[] = [];
		try {
			for (const key of await client.storage.keys(client.namespace)) {
				const value = await client.storage.get(key);
				if (isCheckpointView(value)) found.push(value);
			}
		} catch {}
		const box = byId('unfinished');
		box.hidden = found.length === 0;
		byId('unfinished-list').replaceChildren(
			...found.map((checkpoint) => {
				const parts = Math.ceil(checkpoint.size / checkpoint.partSize);
				const done = Object.keys(checkpoint.parts).length;
				return h('li', {}, h('strong', {}, nameInKey(checkpoint.key)), ` — ${formatBytes(checkpoint.size)}, ${done} of ${parts} parts recorded. To resume it after a reload, choose the same file again.`);
			}),
		);
	}
	void refreshUnfinished();
}
