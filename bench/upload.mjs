// Upload throughput in Chromium to the OSS emulator on loopback: `upload()` vs one raw signed `fetch` PUT of the same
// blob (the practical limit) and vs ali-oss's browser `multipartUpload` with the same part size and parallelism.
// The three run interleaved, in rotating order, on the same file, page and STS credentials; medians of the rounds.
import {attachFile, benchUrl, collectGarbage, fmt, interleave, mbps, median, MiB, row} from './harness.mjs';

export const PART_SIZE = Number(process.env.TOPSEC_BENCH_PART_MIB ?? 8) * MiB; // upload()'s default (TOPSEC_BENCH_PART_MIB=4 to compare)
export const CONCURRENCY = 4; // upload()'s default

const VARIANTS = ['upload()', 'raw PUT', 'ali-oss'];

/** Runs one variant in the page; resolves with its wall time in ms and what OSS reported. */
function runVariant(page, name, size) {
	return page.evaluate(
		async ({name, size, partSize, concurrency}) => {
			const {client, credentials} = window.benchUpload;
			const file = window.bench.fileOf(size);
			const key = `${credentials.dir}bench/${name.replace(/\W/g, '')}-${size}.bin`;
			const start = performance.now();
			let result;
			if (name === 'upload()') result = await window.topsecOss.upload(client, file, {credentials: {merchantCode: 'm1'}, key, partSize, concurrency});
			else if (name === 'raw PUT') result = await window.bench.rawPut(credentials, key, file);
			else result = await window.bench.aliOssUpload(credentials, key, file, {partSize, parallel: concurrency});
			return {ms: performance.now() - start, crc64: result.crc64};
		},
		{name, size, partSize: PART_SIZE, concurrency: CONCURRENCY},
	);
}

export async function benchUpload({server, browser, quick, log}) {
	const size = quick ? 64 * MiB : 256 * MiB;
	const rounds = quick ? 2 : 5;
	const page = await browser.newPage(benchUrl(server));
	try {
		for (const bytes of [16 * MiB, size]) await attachFile(page, bytes);
		await page.evaluate(
			async ({proxy}) => {
				const client = window.topsec.createClient({proxy, identity: {openId: 'bench-upload'}});
				const credentials = await client.getOssCredentials({merchantCode: 'm1'});
				window.benchUpload = {client, credentials};
			},
			{proxy: server.proxyUrl},
		);
		// Warm-up: JIT, connections, preflight paths.
		for (const name of VARIANTS) await runVariant(page, name, 16 * MiB);

		let expectedCrc;
		const serverCpu = Object.fromEntries(VARIANTS.map((name) => [name, []]));
		const results = await interleave(rounds, VARIANTS, async (name, round) => {
			await collectGarbage(page);
			// The emulator runs in this process, which otherwise waits: its CPU time is what OSS's side cost.
			const cpu = process.cpuUsage();
			const {ms, crc64} = await runVariant(page, name, size);
			const {user, system} = process.cpuUsage(cpu);
			serverCpu[name].push((user + system) / 1000);
			expectedCrc ??= crc64;
			if (crc64 && crc64 !== expectedCrc) throw new Error(`${name}: OSS has CRC-64 ${crc64}, the other variants ${expectedCrc}`);
			log(`  upload round ${round + 1}/${rounds} ${name.padEnd(8)} ${fmt(ms, 0)} ms  ${fmt(mbps(size, ms), 0)} MiB/s  (emulator CPU ${fmt((user + system) / 1000, 0)} ms)`);
			return ms;
		});
		const throughput = Object.fromEntries(VARIANTS.map((name) => [name, mbps(size, median(results[name]))]));
		const vsRaw = throughput['upload()'] / throughput['raw PUT'];
		const vsAli = throughput['upload()'] / throughput['ali-oss'];
		const label = `${size / MiB} MiB`;
		const each = `${rounds} rounds, part ${PART_SIZE / MiB} MiB × ${CONCURRENCY}`;
		return {
			rows: [
				row(`upload() ${label}: throughput`, `${fmt(throughput['upload()'], 0)} MiB/s`, '', null),
				row(`raw fetch PUT ${label}: throughput`, `${fmt(throughput['raw PUT'], 0)} MiB/s`, '', null),
				row(`ali-oss multipartUpload ${label}: throughput`, `${fmt(throughput['ali-oss'], 0)} MiB/s`, '', null),
				row(`emulator CPU per ${label} (upload() / raw PUT / ali-oss)`, VARIANTS.map((name) => `${fmt(median(serverCpu[name]) / 1000, 1)} s`).join(' / '), '', null),
				row(`upload() / raw fetch PUT (${each})`, `${fmt(vsRaw)}×`, '≥ 0.9×', vsRaw >= 0.9),
				row(`upload() / ali-oss multipartUpload (${each})`, `${fmt(vsAli)}×`, '≥ 1.0×', vsAli >= 1.0),
			],
			raw: {size, rounds, ms: results, emulatorCpuMs: serverCpu},
		};
	} finally {
		await page.close();
	}
}
