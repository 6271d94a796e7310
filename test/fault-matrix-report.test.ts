// The e2e fault matrix in figures: each case of e2e/faults-*.spec.ts appended a row to test-results/fault-matrix/
// (size, bytes uploaded, bytes lost, faults injected); this prints the table and the totals, and holds the matrix to
// bytes lost = 0. `npm test` runs it after Playwright with TOPSEC_REQUIRE_TRAFFIC=1; on its own, without rows, it
// is skipped.
import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';

const DIR = new URL('../test-results/fault-matrix/', import.meta.url).pathname;
const REQUIRE = process.env['TOPSEC_REQUIRE_TRAFFIC'] === '1';
// Cases the matrix must hold (the list); a run that lost one of them is a failure, not a smaller table.
const REQUIRED = [
	'TOP 5xx/drop on secToken',
	'TOP isp.*/throttled on secToken and credentials',
	'TOP timeouts (504) on secToken and credentials',
	'credentials expired early + TOP faults on refresh',
	'OSS 5xx on parts/Initiate/Complete',
	'OSS connections dropped mid-part',
	'credentials expired early (single PUT)',
	'credentials expired early twice (multipart)',
	'OSS chaos: 5xx + drops + expiry + slow parts',
	'client clock 20 min ahead',
	'client clock 20 min behind',
	'client clock jumps 20 min mid-upload (RequestTimeTooSkewed)',
	'page reload mid-upload (resume)',
	'tab closed holding the refresh lock',
	'IndexedDB quota errors',
	'blocked IndexedDB upgrade (memory fallback)',
];

type Row = {case: string; size: number; bytesUploaded: number; bytesLost: number; faults: number};

const rows: Row[] = existsSync(DIR)
	? readdirSync(DIR)
			.filter((name) => name.endsWith('.ndjson'))
			.flatMap((name) => readFileSync(join(DIR, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Row))
	: [];

test('e2e fault matrix: every case ended with the object intact (bytes lost 0) and the SDK clean', {skip: rows.length === 0 && !REQUIRE ? 'no fault matrix rows in test-results/fault-matrix (run the e2e suite first)' : false}, () => {
	const MB = 2 ** 20;
	const width = Math.max(...rows.map((row) => row.case.length));
	for (const row of [...rows].sort((a, b) => a.case.localeCompare(b.case))) {
		console.log(`# ${row.case.padEnd(width)}  ${(row.size / MB).toFixed(0).padStart(3)} MiB  uploaded ${(row.bytesUploaded / MB).toFixed(2).padStart(6)} MiB  lost ${row.bytesLost}  faults ${row.faults}`);
	}
	const total = (field: 'size' | 'bytesUploaded' | 'bytesLost' | 'faults') => rows.reduce((sum, row) => sum + Number(row[field] ?? 0), 0);
	console.log(`# fault matrix: ${rows.length} cases, ${total('faults')} faults injected, ${total('size')} bytes of files, ${total('bytesUploaded')} bytes uploaded, ${total('bytesLost')} bytes lost`);
	assert.equal(total('bytesLost'), 0);
	const seen = new Set(rows.map((row) => row.case));
	const missing = REQUIRED.filter((name) => !seen.has(name));
	assert.deepEqual(missing, [], 'cases missing from the matrix');
	assert.ok(rows.some((row) => row.case.startsWith('browser offline')), 'the offline case is in the matrix');
});
