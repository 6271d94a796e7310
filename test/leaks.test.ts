// Leak proofs. (1) Every built file (dist/, dist/demo/) is scanned for the app secrets the e2e runs used, the
// TOP_APP_SECRET of this environment and, in everything a browser loads, the emulator's default secret. (2) Every
// answer and header the proxy and the OSS emulator sent during the e2e run, and every proxy log line (captured by
// e2e/servers.ts into test-results/traffic/), is scanned for the app secret and for STS secrets of other
// identities. Secrets are looked for raw, percent- and JSON-encoded, in hex and in base64/base64url.
//
// `npm test` runs this after Playwright with TOPSEC_REQUIRE_TRAFFIC=1 (a missing capture is then a failure); on its
// own, without a capture, the traffic part is skipped.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, relative} from 'node:path';
import {test} from 'node:test';
import {createLeakCheck} from '../src/dev/leak-check.js';
import {DEFAULT_APP_SECRET} from '../src/emulator/index.js';

const root = new URL('..', import.meta.url).pathname;
const DIST = join(root, 'dist');
const TRAFFIC = join(root, 'test-results', 'traffic');
const REQUIRE_TRAFFIC = process.env['TOPSEC_REQUIRE_TRAFFIC'] === '1';
const BROWSER_ENTRIES = ['index.js', 'oss.js', 'miniapp.js', 'topsec.iife.min.js'];

type TrafficRecord = {source: 'secrets' | 'proxy' | 'oss' | 'log'; appSecret?: string; request?: string; status?: number; headers?: unknown; body?: string; line?: string};

function readTraffic(): {records: TrafficRecord[]; lines: string[]} {
	const records: TrafficRecord[] = [];
	const lines: string[] = [];
	if (!existsSync(TRAFFIC)) return {records, lines};
	for (const name of readdirSync(TRAFFIC).filter((file) => file.endsWith('.ndjson')).sort()) {
		for (const line of readFileSync(join(TRAFFIC, name), 'utf8').split('\n')) {
			if (!line) continue;
			records.push(JSON.parse(line) as TrafficRecord);
			lines.push(line);
		}
	}
	return {records, lines};
}

function walk(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Every file a browser loads starting from `entries` (relative static and dynamic imports), with their source maps. */
function browserClosure(entries: string[]): Set<string> {
	const seen = new Set<string>();
	const queue = entries.filter((file) => existsSync(file));
	while (queue.length) {
		const file = queue.pop()!;
		if (seen.has(file)) continue;
		seen.add(file);
		if (existsSync(`${file}.map`)) seen.add(`${file}.map`);
		const code = readFileSync(file, 'utf8');
		for (const match of code.matchAll(/(?:from\s*|import\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
			const target = join(dirname(file), match[1]!);
			if (existsSync(target) && statSync(target).isFile()) queue.push(target);
		}
	}
	return seen;
}

const {records, lines} = readTraffic();
const appSecrets = [...new Set(records.filter((r) => r.source === 'secrets' && r.appSecret).map((r) => r.appSecret!))];

test('built files hold no secret: none of the e2e app secrets anywhere, nothing secret in what a browser loads', () => {
	assert.ok(existsSync(join(DIST, 'index.js')), 'dist/ is built (npm test builds it first)');
	const files = walk(DIST);
	const browser = browserClosure([...BROWSER_ENTRIES.map((name) => join(DIST, name)), ...(existsSync(join(DIST, 'demo')) ? walk(join(DIST, 'demo')).filter((file) => file.endsWith('.js')) : [])]);
	assert.ok(browser.size >= 5, `browser closure has ${browser.size} files`);
	assert.ok([...browser].some((file) => file.includes(`${join('dist', 'demo')}`)) || !existsSync(join(DIST, 'demo')), 'the demo build is scanned');

	const everywhere = [...appSecrets, ...(process.env['TOP_APP_SECRET'] ? [process.env['TOP_APP_SECRET']] : [])].map((secret) => ({secret, check: createLeakCheck(secret)}));
	const inBrowser = [...everywhere, {secret: DEFAULT_APP_SECRET, check: createLeakCheck(DEFAULT_APP_SECRET)}];
	const hits: string[] = [];
	let bytes = 0;
	for (const file of files) {
		const text = readFileSync(file, 'latin1');
		bytes += text.length;
		for (const {check} of browser.has(file) ? inBrowser : everywhere) if (check(text)) hits.push(relative(root, file));
	}
	console.log(`# leak scan of dist/: ${files.length} files (${(bytes / 2 ** 20).toFixed(1)} MiB), ${browser.size} loaded by browsers; ${everywhere.length} run secrets + the emulator default; ${hits.length} hits`);
	assert.deepEqual(hits, []);
});

/** base64url(SHA-256(`open_id\noeid\nieid`)), first 22 characters: the proxy's identity digest. */
const digest = (params: {open_id?: unknown; oeid?: unknown; ieid?: unknown}) =>
	createHash('sha256')
		.update(`${params.open_id ?? ''}\n${params.oeid ?? ''}\n${params.ieid ?? ''}`)
		.digest('base64url')
		.slice(0, 22);

/** Whom a proxy request was for: the identity of its grant, else of its identity params. */
function requester(request: string | undefined): string | undefined {
	try {
		const body = JSON.parse(request ?? '') as {grant?: string; params?: Record<string, unknown>};
		if (typeof body.grant === 'string') return JSON.parse(Buffer.from(body.grant.split('.')[1] ?? '', 'base64url').toString()).id;
		if (body.params && ['open_id', 'oeid', 'ieid'].some((name) => body.params![name])) return digest(body.params);
	} catch {}
	return undefined;
}

type Scan = {leaks: string[]; counts: {proxy: number; oss: number; log: number}; stsSecrets: number; identities: Set<string | undefined>};

/** Scans captured records (and their raw NDJSON lines) for the app secrets and for STS secrets reaching anyone but their owner. */
function scanTraffic(records: TrafficRecord[], lines: string[], appSecrets: string[]): Scan {
	// Who got which STS secret: the gettoken answers, and the identity of the grant that asked for them.
	const owners = new Map<string, string | undefined>();
	for (const record of records) {
		if (record.source !== 'proxy' || !record.body?.includes('access_key_secret')) continue;
		let model: {access_key_secret?: string} | undefined;
		try {
			model = (JSON.parse(record.body) as {wdk_iot_wombat_common_gettoken_response?: {result?: {model?: {access_key_secret?: string}}}}).wdk_iot_wombat_common_gettoken_response?.result?.model;
		} catch {}
		if (model?.access_key_secret && !owners.has(model.access_key_secret)) owners.set(model.access_key_secret, requester(record.request));
	}
	const sts = [...owners].map(([secret, owner]) => ({owner, check: createLeakCheck(secret)}));
	const app = appSecrets.map((secret) => createLeakCheck(secret));

	const leaks: string[] = [];
	const counts = {proxy: 0, oss: 0, log: 0};
	records.forEach((record, index) => {
		if (record.source === 'secrets') return;
		counts[record.source]++;
		const text = lines[index]!;
		const where = `${record.source} #${index} (HTTP ${record.status ?? '-'})`;
		if (app.some((check) => check(text))) leaks.push(`app secret in ${where}`);
		const asker = record.source === 'proxy' ? requester(record.request) : undefined;
		for (const {owner, check} of sts) {
			if (!check(text)) continue;
			// The one place an STS secret may travel: the proxy's answer to the identity it was minted for.
			if (record.source !== 'proxy' || asker === undefined || asker !== owner) leaks.push(`STS secret of ${owner} in ${where}, asked by ${asker ?? 'nobody known'}`);
		}
	});
	return {leaks, counts, stsSecrets: sts.length, identities: new Set(owners.values())};
}

test('the traffic scanner finds planted leaks (so that zero hits means something)', () => {
	const appSecret = 'planted-app-secret-0123456789';
	const grantOf = (openId: string) => `v1.${Buffer.from(JSON.stringify({id: digest({open_id: openId}), exp: 1, kid: 'k'})).toString('base64url')}.mac`;
	const answer = (secret: string) => JSON.stringify({wdk_iot_wombat_common_gettoken_response: {result: {success: true, model: {access_key_secret: secret}}}});
	const planted: TrafficRecord[] = [
		{source: 'secrets', appSecret},
		{source: 'proxy', request: JSON.stringify({method: 'g', params: {}, grant: grantOf('alice')}), status: 200, headers: [], body: answer('STS-SECRET-OF-ALICE-0001')},
		{source: 'proxy', request: JSON.stringify({method: 'g', params: {}, grant: grantOf('bob')}), status: 200, headers: [], body: answer('STS-SECRET-OF-BOB-000002')},
		// Leaks: Alice's secret in Bob's answer; Bob's in an OSS answer and, base64-encoded, in a header; the app
		// secret percent-encoded in a log line and hex-encoded in an answer.
		{source: 'proxy', request: JSON.stringify({method: 's', params: {open_id: 'bob'}}), status: 200, headers: [], body: '{"x":"STS-SECRET-OF-ALICE-0001"}'},
		{source: 'oss', request: 'PUT /k', status: 403, headers: '', body: '<Error>STS-SECRET-OF-BOB-000002</Error>'},
		{source: 'oss', request: 'PUT /k', status: 200, headers: `x-debug: ${Buffer.from('STS-SECRET-OF-BOB-000002').toString('base64')}`, body: ''},
		{source: 'log', line: `{"note":"${encodeURIComponent(appSecret)}"}`},
		{source: 'proxy', request: '', status: 500, headers: [], body: Buffer.from(appSecret).toString('hex')},
	];
	const scan = scanTraffic(planted, planted.map((record) => JSON.stringify(record)), [appSecret]);
	assert.equal(scan.leaks.length, 5, scan.leaks.join('\n'));
	assert.equal(scan.stsSecrets, 2);
});

const haveTraffic = records.some((record) => record.source === 'proxy');

test('e2e traffic: no app secret in any answer, header or log line; no STS secret reaches another identity', {skip: !haveTraffic && !REQUIRE_TRAFFIC ? 'no e2e capture in test-results/traffic (run the e2e suite first)' : false}, () => {
	assert.ok(haveTraffic, 'the e2e run left a capture in test-results/traffic');
	assert.ok(appSecrets.length >= 1, 'the capture names the app secrets in use');
	const {leaks, counts, stsSecrets, identities} = scanTraffic(records, lines, appSecrets);
	console.log(
		`# leak scan of e2e traffic: ${counts.proxy} proxy answers, ${counts.oss} OSS answers, ${counts.log} proxy log lines; ` +
			`${appSecrets.length} app secrets, ${stsSecrets} STS secrets of ${identities.size} identities; ${leaks.length} leaks`,
	);
	assert.deepEqual(leaks.slice(0, 20), []);
	assert.ok(counts.proxy >= 20 && counts.oss >= 20 && counts.log >= 20, `too little traffic to mean anything: ${JSON.stringify(counts)}`);
	assert.ok(stsSecrets >= 5 && identities.size >= 3, `too few STS secrets (${stsSecrets}) or identities (${identities.size})`);
	assert.ok(!identities.has(undefined), 'every STS secret could be traced to the identity that asked for it');
});
