// Small DOM and formatting helpers shared by the demo's modules.

/** The element with this id; throws when the page lacks it (a typo should fail loudly, not silently). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
	const element = document.getElementById(id);
	if (!element) throw new Error(`#${id} is missing from the page`);
	return element as T;
}

type Attributes = Record<string, string | number | boolean | undefined>;

/** Creates an element: `h('button', {type: 'button', class: 'x'}, 'Pause')`. `false`/`undefined` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (value === undefined || value === false) continue;
		element.setAttribute(name, value === true ? '' : String(value));
	}
	element.append(...children);
	return element;
}

/** `1.5 MB`, `320 KB`, `12 B` (powers of 1024, as file managers show them). */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes)) return '—';
	const units = ['B', 'KB', 'MB', 'GB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `2 s`, `1 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) return '—';
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
	return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A countdown as `mm:ss` (or `h:mm:ss`); `expired` at or below zero. */
export function formatCountdown(ms: number): string {
	if (ms <= 0) return 'expired';
	const total = Math.floor(ms / 1000);
	const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
	const mmss = `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
	return hours ? `${hours}:${mmss}` : mmss;
}

/** Shows the shape of a secret value without revealing it: `abc123…wxyz`. */
export const mask = (text: string): string => (text.length <= 12 ? '•'.repeat(text.length) : `${text.slice(0, 6)}…${text.slice(-4)}`);

/** A clock time for log lines: `14:03:07.120`. */
export const clock = (epochMs: number): string => {
	const date = new Date(epochMs);
	return `${date.toLocaleTimeString('en-GB', {hour12: false})}.${String(date.getMilliseconds()).padStart(3, '0')}`;
};

/** The message of anything thrown, prefixed with its name when it is an error class of its own. */
export function describeError(error: unknown): string {
	if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
	return String(error);
}
