import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {test} from 'node:test';
import {formatTopTime, parseTopTime} from '../src/top/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const timeModule = new URL('../src/top/time.ts', import.meta.url).href;

// Spans New York's DST switch (2026-03-08) and a UTC+8 date change.
const SAMPLES: Array<[number, string]> = [
	[0, '1970-01-01 08:00:00'],
	[Date.UTC(2026, 2, 8, 6, 59, 59), '2026-03-08 14:59:59'],
	[Date.UTC(2026, 2, 8, 16, 30, 5), '2026-03-09 00:30:05'],
	[Date.UTC(2026, 11, 31, 16, 0, 0), '2027-01-01 00:00:00'],
	[Date.UTC(2028, 1, 28, 17, 0, 0), '2028-02-29 01:00:00'],
];

/** Runs formatTopTime in a child process whose host time zone is `zone`. */
function formatIn(zone: string): {offset: number; formatted: string[]} {
	const code = `const m = await import(${JSON.stringify(timeModule)}); console.log(JSON.stringify({offset: new Date(${SAMPLES[1]![0]}).getTimezoneOffset(), formatted: ${JSON.stringify(SAMPLES.map(([ms]) => ms))}.map(m.formatTopTime)}));`;
	const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: root, env: {...process.env, TZ: zone}, encoding: 'utf8'});
	return JSON.parse(out.trim());
}

test('formatTopTime gives the same UTC+8 string whatever the host zone', () => {
	const newYork = formatIn('America/New_York');
	const shanghai = formatIn('Asia/Shanghai');
	// The zones really differ in the children (New York is UTC-5 before the switch, Shanghai UTC+8).
	assert.equal(newYork.offset, 300);
	assert.equal(shanghai.offset, -480);
	const expected = SAMPLES.map(([, text]) => text);
	assert.deepEqual(newYork.formatted, expected);
	assert.deepEqual(shanghai.formatted, expected);
});

test('formatTopTime in this process', () => {
	for (const [ms, text] of SAMPLES) assert.equal(formatTopTime(ms), text);
	assert.equal(formatTopTime(Date.UTC(2026, 4, 1, 4, 0, 0, 999)), '2026-05-01 12:00:00', 'milliseconds are truncated');
});

test('parseTopTime round trips', () => {
	for (const [ms, text] of SAMPLES) {
		assert.equal(parseTopTime(text), ms);
		assert.equal(formatTopTime(parseTopTime(text)!), text);
	}
	for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 86_400_000 * 7 + 3_723_000) {
		assert.equal(parseTopTime(formatTopTime(ms)), ms);
	}
	assert.equal(parseTopTime(' 2026-05-01 12:00:00 '), Date.UTC(2026, 4, 1, 4));
	assert.equal(parseTopTime('2026-05-01T12:00:00'), Date.UTC(2026, 4, 1, 4));
});

test('parseTopTime rejects garbage', () => {
	for (const bad of ['', 'abc', '2026-05-01', '2026-05-01 12:00', '2026-5-1 12:00:00', '2026-02-30 00:00:00', '2026-02-29 00:00:00', '2026-13-01 00:00:00', '2026-00-10 00:00:00', '2026-01-01 24:00:00', '2026-01-01 23:60:00', '2026-01-01 23:59:60', '2026-01-01 12:00:00Z', '2026-01-01 12:00:00+08:00', '２０２６-01-01 12:00:00']) {
		assert.equal(parseTopTime(bad), undefined, bad);
	}
	for (const bad of [undefined, null, 0, 1_700_000_000_000, {}, new Date()]) assert.equal(parseTopTime(bad), undefined);
});
