#!/usr/bin/env node
// Size budgets: gzip of a minified consumer bundle of exactly one import, resolved through the package's own
// `exports` (as an app's bundler would), plus a check that browser entries never reach proxy/emulator/node code.
import {mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {rollup} from 'rollup';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const root = new URL('..', import.meta.url).pathname;
const KB = 1024;
const CASES = [
	{name: "import {createClient} from 'topsec'", code: "export {createClient} from 'topsec';", budget: 12 * KB, goal: 10 * KB},
	{name: "createClient + upload", code: "export {createClient} from 'topsec'; export {upload} from 'topsec/oss';", budget: 17 * KB, goal: 15 * KB, needs: 'dist/oss.js'},
	{name: "import {createPostPolicy} from 'topsec/oss'", code: "export {createPostPolicy} from 'topsec/oss';", budget: 2.5 * KB, needs: 'dist/oss.js'},
];

const work = mkdtempSync(join(tmpdir(), 'topsec-size-'));
mkdirSync(join(work, 'node_modules'));
symlinkSync(root, join(work, 'node_modules', 'topsec'), 'dir');
for (const dep of ['ky', 'idb-keyval']) symlinkSync(join(root, 'node_modules', dep), join(work, 'node_modules', dep), 'dir');

const FORBIDDEN = /(^node:|[\\/]src[\\/](proxy|emulator|dev)[\\/]|[\\/]dist[\\/](proxy|emulator|cli)\.js$)/;
let failed = false;
const rows = [];
try {
	for (const item of CASES) {
		if (item.needs && !existsSync(join(root, item.needs))) {
			rows.push([item.name, 'skipped (entry not built yet)', '', '']);
			continue;
		}
		const entry = join(work, 'entry.js');
		writeFileSync(entry, item.code);
		const reached = [];
		const bundle = await rollup({
			input: entry,
			onwarn: () => {},
			plugins: [nodeResolve({browser: true, exportConditions: ['browser', 'import', 'default']}), {name: 'watch-ids', load(id) { reached.push(id); return null; }, resolveId(id) { if (id.startsWith('node:')) reached.push(id); return null; }}],
		});
		const {output} = await bundle.generate({format: 'es', plugins: [terser({ecma: 2020, module: true})]});
		await bundle.close();
		const forbidden = reached.filter((id) => FORBIDDEN.test(id));
		const bytes = gzipSync(output[0].code, {level: 9}).length;
		const ok = bytes <= item.budget && forbidden.length === 0;
		failed ||= !ok;
		rows.push([item.name, `${(bytes / KB).toFixed(2)} KB (${bytes} B)`, `≤ ${(item.budget / KB).toFixed(1)} KB${item.goal ? ` (goal ${(item.goal / KB).toFixed(0)})` : ''}`, ok ? 'ok' : forbidden.length ? `FAIL: reaches ${forbidden.join(', ')}` : `FAIL: over budget by ${bytes - item.budget} B`]);
	}
	const iife = join(root, 'dist/topsec.iife.min.js');
	if (existsSync(iife)) {
		const bytes = gzipSync(readFileSync(iife), {level: 9}).length;
		failed ||= bytes > 18 * KB;
		rows.push(['dist/topsec.iife.min.js', `${(bytes / KB).toFixed(2)} KB (${bytes} B)`, '≤ 18.0 KB', bytes <= 18 * KB ? 'ok' : `FAIL: over budget by ${bytes - 18 * KB} B`]);
	}
	const aliOss = join(root, 'node_modules/ali-oss/dist/aliyun-oss-sdk.min.js');
	if (existsSync(aliOss)) {
		const bytes = gzipSync(readFileSync(aliOss), {level: 9}).length;
		const ours = rows.find((row) => row[0] === 'createClient + upload')?.[1];
		const ratio = ours && !ours.startsWith('skipped') ? ` — ${(bytes / KB / Number.parseFloat(ours)).toFixed(1)}× createClient + upload` : '';
		rows.push(['ali-oss browser build (reference)', `${(bytes / KB).toFixed(2)} KB`, '', `peer${ratio}`]);
	}
} finally {
	rmSync(work, {recursive: true, force: true});
}
const width = rows.reduce((w, row) => Math.max(w, row[0].length), 0);
for (const row of rows) console.log(`${row[0].padEnd(width)}  ${row[1].padStart(20)}  ${row[2].padEnd(24)} ${row[3]}`);
process.exit(failed ? 1 : 0);
