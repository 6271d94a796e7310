#!/usr/bin/env node
// `npm test`: everything CI runs, from a clean clone. Installs Debian's Chromium when missing, builds, type-checks,
// runs the Node unit tests, the size budgets and the Playwright e2e suite, then prints one summary line.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const step = (title) => console.log(`\n=== ${title} ===`);
const run = (command, args, options = {}) => {
	const result = spawnSync(command, args, {stdio: 'inherit', ...options});
	if (result.error) throw result.error;
	return result.status ?? 1;
};
const totals = {passed: 0, failed: 0, skipped: 0};

function ensureChromium() {
	const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (existsSync(path)) return;
	step(`installing Debian chromium (${path} is missing)`);
	if (process.getuid?.() !== 0) throw new Error(`${path} is missing; install it with: sudo apt-get update && sudo apt-get install -y chromium`);
	const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
	if (run('apt-get', ['update', '-qq'], {env}) !== 0 || run('apt-get', ['install', '-y', '-qq', 'chromium'], {env}) !== 0 || !existsSync(path)) {
		throw new Error('could not install chromium with apt-get');
	}
}

function unitTestFiles(dir = 'test') {
	return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
		entry.isDirectory() ? unitTestFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
	);
}

function ensureDependencies() {
	// `npm test` is the one command a fresh clone needs: install what package-lock.json pins when it is not there yet.
	const marker = 'node_modules/.package-lock.json';
	const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
	if (!stale) return;
	step('installing npm dependencies');
	if (run('npm', [process.env.CI ? 'ci' : 'install', '--no-audit', '--no-fund']) !== 0) throw new Error('npm install failed');
}

let failed = false;
try {
	ensureDependencies();
	ensureChromium();

	step('build');
	if (run('npx', ['rollup', '-c', '--silent']) !== 0) throw new Error('build failed');

	step('type-check');
	if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) failed = true;

	step('unit tests (node:test)');
	const files = unitTestFiles().sort();
	const unit = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	process.stdout.write(unit.stdout);
	process.stderr.write(unit.stderr);
	const count = (name) => Number(unit.stdout.match(new RegExp(`^(?:ℹ|#) ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
	totals.passed += count('pass');
	totals.failed += count('fail');
	totals.skipped += count('skipped') + count('todo');
	if (unit.status !== 0) failed = true;

	if (existsSync('scripts/size.mjs')) {
		step('size budgets');
		if (run(process.execPath, ['scripts/size.mjs']) !== 0) {
			failed = true;
			totals.failed++;
		} else totals.passed++;
	}

	step('e2e (Playwright, Debian chromium)');
	const report = join(root, 'test-results', 'e2e-report.json');
	rmSync(report, {force: true});
	const e2e = run('npx', ['playwright', 'test', '--reporter=list,json'], {env: {...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report}});
	if (existsSync(report)) {
		const stats = JSON.parse(readFileSync(report, 'utf8')).stats ?? {};
		totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
		totals.failed += stats.unexpected ?? 0;
		totals.skipped += stats.skipped ?? 0;
	} else if (e2e !== 0) totals.failed++;
	if (e2e !== 0) failed = true;
} catch (error) {
	console.error(`\nnpm test: ${error.message}`);
	failed = true;
	totals.failed++;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
