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

// Debian packages the suite needs: the file that proves each is there → the package that provides it.
const SYSTEM_PACKAGES = {
	[process.env.CHROMIUM_PATH ?? '/usr/bin/chromium']: 'chromium',
	// Issue 7: Firefox for the Playwright `firefox` project, WebKitGTK (driver + MiniBrowser) and an X server for scripts/webkit-core.mjs.
	[process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr']: 'firefox-esr',
	'/usr/bin/WebKitWebDriver': 'webkit2gtk-driver',
	'/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser': 'libwebkit2gtk-4.1-0',
	'/usr/bin/Xvfb': 'xvfb',
	// Issue 6: test/redis-limit.test.ts starts its own redis-server (random port on 127.0.0.1, no persistence).
	'/usr/bin/redis-server': 'redis-server',
};

function ensureSystemPackages() {
	const missing = [...new Set(Object.entries(SYSTEM_PACKAGES).filter(([path]) => !existsSync(path)).map(([, name]) => name))];
	if (missing.length === 0) return;
	step(`installing Debian packages: ${missing.join(' ')}`);
	if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}; install with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
	const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
	if (run('apt-get', ['update', '-qq'], {env}) !== 0 || run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {env}) !== 0) {
		throw new Error(`could not install ${missing.join(' ')} with apt-get`);
	}
	const still = Object.keys(SYSTEM_PACKAGES).filter((path) => !existsSync(path));
	if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

/** Extra suites beyond node:test and Playwright: each a node script printing `N passed, N failed` last and exiting non-zero on failure. */
const EXTRA_SUITES = [
	{title: 'WebKit core flows (WebKitGTK MiniBrowser over WebKitWebDriver)', script: 'scripts/webkit-core.mjs', args: []},
];

function runExtraSuite(title, script, args = []) {
	step(title);
	const result = spawnSync(process.execPath, [script, ...args], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit']});
	process.stdout.write(result.stdout ?? '');
	const match = /(\d+) passed, (\d+) failed/.exec(result.stdout ?? '');
	totals.passed += Number(match?.[1] ?? 0);
	totals.failed += Number(match?.[2] ?? (result.status === 0 ? 0 : 1));
	return result.status === 0;
}

/** node:test files that read what the e2e run leaves behind (traffic capture, fault matrix rows): run after Playwright. */
const POST_E2E_TESTS = ['test/leaks.test.ts', 'test/fault-matrix-report.test.ts'];

/** Runs node:test files with the spec reporter and adds their counts to the totals; false when any failed. */
function runNodeTests(files, env = process.env) {
	const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env});
	process.stdout.write(result.stdout);
	process.stderr.write(result.stderr);
	const count = (name) => Number(result.stdout.match(new RegExp(`^(?:ℹ|#) ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
	totals.passed += count('pass');
	totals.failed += count('fail');
	totals.skipped += count('skipped') + count('todo');
	return result.status === 0;
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
	// `npm install`, not `npm ci`: npm writes lock files without the other platforms' optional packages (rollup's
	// native builds), and `npm ci` then refuses the lock as out of sync (npm/cli#4828). `install` keeps the pinned
	// versions and fills the gap.
	if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) throw new Error('npm install failed');
}

let failed = false;
try {
	ensureDependencies();
	ensureSystemPackages();

	step('build');
	if (run('npx', ['rollup', '-c', '--silent']) !== 0) throw new Error('build failed');
	const stress = process.argv.includes('--stress');
	if (stress) process.env.TOPSEC_STRESS = '1';

	step('type-check');
	// src/ as published, then the tests too (tsconfig.test.json: test/, e2e/, playwright.config.ts), which tsx and
	// Playwright would otherwise run with their types stripped and never checked.
	const typeChecks = [['tsc', '-p', 'tsconfig.json', '--noEmit'], ['tsc', '-p', 'tsconfig.test.json']];
	if (typeChecks.map((args) => run('npx', args)).some((status) => status !== 0)) failed = true;

	step('unit tests (node:test)');
	const files = unitTestFiles().sort().filter((file) => !POST_E2E_TESTS.includes(file.replaceAll('\\', '/')));
	if (!runNodeTests(files)) failed = true;
	if (process.argv.includes('--unit')) {
		// `npm run test:unit`: the unit tests alone, after the build they need (node 20's --test takes no globs).
		console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
		process.exit(failed ? 1 : 0);
	}

	if (existsSync('scripts/size.mjs')) {
		step('size budgets');
		if (run(process.execPath, ['scripts/size.mjs']) !== 0) {
			failed = true;
			totals.failed++;
		} else totals.passed++;
	}

	for (const {title, script, args} of EXTRA_SUITES) if (!runExtraSuite(title, script, args)) failed = true;

	step('e2e (Playwright, Debian chromium)');
	const report = join(root, 'test-results', 'e2e-report.json');
	rmSync(report, {force: true});
	for (const dir of ['traffic', 'fault-matrix']) rmSync(join(root, 'test-results', dir), {recursive: true, force: true});
	const e2e = run('npx', ['playwright', 'test', '--reporter=list,json'], {env: {...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report}});
	if (existsSync(report)) {
		const stats = JSON.parse(readFileSync(report, 'utf8')).stats ?? {};
		totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
		totals.failed += stats.unexpected ?? 0;
		totals.skipped += stats.skipped ?? 0;
	} else if (e2e !== 0) totals.failed++;
	if (e2e !== 0) failed = true;

	step('after e2e: leak scan (dist/ and the e2e traffic) and fault matrix report');
	if (!runNodeTests(POST_E2E_TESTS.filter((file) => existsSync(file)), {...process.env, TOPSEC_REQUIRE_TRAFFIC: '1'})) failed = true;
} catch (error) {
	console.error(`\nnpm test: ${error.message}`);
	failed = true;
	totals.failed++;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
