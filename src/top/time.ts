/**
TOP's wall-clock format: `yyyy-MM-dd HH:mm:ss` in UTC+8 (China Standard Time, no DST), whatever the host's zone.
@module
*/

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (n: number) => (n < 10 ? '0' : '') + n;

/** Formats epoch milliseconds as a TOP timestamp in UTC+8. */
export function formatTopTime(epochMs: number): string {
	const d = new Date(epochMs + CST_OFFSET_MS);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const TOP_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** Parses a TOP timestamp (UTC+8) to epoch milliseconds; `undefined` when it is not one. */
export function parseTopTime(text: unknown): number | undefined {
	if (typeof text !== 'string') return undefined;
	const match = TOP_TIME.exec(text.trim());
	if (!match) return undefined;
	const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
	const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
	// Reject dates that rolled over (2026-02-31 → March).
	return formatTopTime(ms) === `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]}` ? ms : undefined;
}
