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

const TOP_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)$/;

/**
Reads a TOP timestamp (UTC+8) as epoch milliseconds without range checks (`24:00:00` rolls over): for answers from
TOP, which are well formed. `undefined` when the text has not the shape of one.
*/
export function topTimeToEpoch(text: unknown): number | undefined {
	const m = typeof text === 'string' ? TOP_TIME.exec(text.trim()) : null;
	return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - CST_OFFSET_MS : undefined;
}

/** Parses a TOP timestamp (UTC+8) to epoch milliseconds; `undefined` when it is not a valid one (also 2026-02-31). */
export function parseTopTime(text: unknown): number | undefined {
	const ms = topTimeToEpoch(text);
	// Out-of-range fields roll over in Date.UTC; the round trip refuses them.
	return ms !== undefined && formatTopTime(ms) === String(text).trim().replace('T', ' ') ? ms : undefined;
}
