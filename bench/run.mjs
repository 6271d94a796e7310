#!/usr/bin/env node
// `npm run bench`: every figure is a ratio (or a bound) measured side by side in this one run, printed as a table.
// Not part of `npm test`; exits 0 even when a goal is missed (the row says MISSED).
//
//   npm run bench                      all benchmarks (~3 minutes on an idle 2-core machine, ~6 when loaded)
//   npm run bench -- --quick           a smoke run: smaller files, fewer rounds, shorter load (~1 minute)
//   npm run bench -- --only=upload,sectoken    some of: upload, sectoken, proxy, memory
//   npm run bench -- --json=out.json   also write every raw sample
//
// Runs against the built package (dist/): run `npm run build` first after changing src/.
import {existsSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {join} from 'node:path';
import {launchChromium} from './cdp.mjs';
import {machine, printTable, root, row, snapshotDist, startBenchServer} from './harness.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((arg) => arg.startsWith('--only='))?.slice(7).split(',');
const jsonOut = args.find((arg) => arg.startsWith('--json='))?.slice(7);

for (const file of ['index.js', 'oss.js', 'proxy.js', 'emulator.js']) {
	if (!existsSync(join(process.env.TOPSEC_BENCH_DIST ?? join(root, 'dist'), file))) {
		console.error(`${file} is missing: run \`npm run build\` first.`);
		process.exit(1);
	}
}

const BENCHES = [
	['upload', async () => (await import('./upload.mjs')).benchUpload],
	['sectoken', async () => (await import('./sectoken.mjs')).benchSecToken],
	['proxy', async () => (await import('./proxy-load.mjs')).benchProxyLoad],
	['memory', async () => (await import('./memory.mjs')).benchMemory],
];

const log = (line) => console.error(line);
const info = machine();
log(`topsec bench${quick ? ' (quick)' : ''}: ${info.cpus}, ${info.memory} RAM, ${info.os}, Node ${info.node}, ${info.chromium}`);

const started = Date.now();
const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
const dist = await snapshotDist();
log(`measuring the build in ${dist.source} (copied to ${dist.dir}); load average at start: ${load}`);
const server = await startBenchServer(dist.dir);
const browser = await launchChromium();
const rows = [];
const raw = {};
try {
	for (const [name, load] of BENCHES) {
		if (only && !only.includes(name)) continue;
		const benchStart = Date.now();
		log(`\n▶ ${name}`);
		try {
			const result = await (await load())({server, browser, quick, log});
			rows.push(...result.rows);
			raw[name] = result.raw;
		} catch (error) {
			log(error?.stack ?? String(error));
			rows.push(row(`${name}: failed`, String(error?.message ?? error).slice(0, 80), '', false));
		}
		log(`  (${((Date.now() - benchStart) / 1000).toFixed(0)} s)`);
	}
} finally {
	await browser.close();
	await server.close();
	dist.remove();
}

console.log(`\ntopsec ${info.topsec} bench${quick ? ' --quick' : ''} — ${info.cpus}, ${info.memory} RAM, Node ${info.node}, ${info.chromium}\n`);
printTable(rows);
const missed = rows.filter((r) => r.ok === 'MISSED').length;
const loadEnd = os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`\n${missed ? `${missed} goal(s) missed` : 'all goals met'} — ${((Date.now() - started) / 1000).toFixed(0)} s; load average (1/5/15 min) ${load} at start, ${loadEnd} at the end`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({machine: info, quick, load: {start: load, end: loadEnd}, rows, raw}, null, 2));
process.exit(0);
