// Memory while `upload()` sends 1 GiB: the page's V8 heap sampled over CDP every 100 ms, peak minus the baseline
// taken after a full GC with the file already made. Two figures: JSHeapUsedSize (Performance.getMetrics: V8 objects
// only), and V8 objects + ArrayBuffer backing stores (Runtime.getHeapUsage: usedSize + backingStorageSize), which is
// where the parts' bytes live; the goal (concurrency × part size + 32 MB) is checked against the second. A second
// upload forces a GC before each sample: its peak is the live set, without garbage V8 has not collected yet.
import {attachFile, benchUrl, collectGarbage, fmt, mbps, MiB, row} from './harness.mjs';
import {CONCURRENCY, PART_SIZE} from './upload.mjs';

const MB = (bytes) => `${fmt(bytes / MiB, 1)} MiB`;

async function sample(page) {
	const [{metrics}, usage] = await Promise.all([page.cdp('Performance.getMetrics'), page.cdp('Runtime.getHeapUsage')]);
	return {jsHeap: metrics.find((metric) => metric.name === 'JSHeapUsedSize').value, withBuffers: usage.usedSize + usage.backingStorageSize};
}

export async function benchMemory({server, quick, browser, log}) {
	const size = quick ? 256 * MiB : 1024 * MiB;
	const page = await browser.newPage(benchUrl(server));
	try {
		await page.cdp('Performance.enable');
		await attachFile(page, size, 7);
		await page.evaluate(
			async ({proxy}) => {
				const client = window.topsec.createClient({proxy, identity: {openId: 'bench-memory'}});
				const credentials = await client.getOssCredentials({merchantCode: 'm1'});
				window.benchMemory = {client, credentials};
			},
			{proxy: server.proxyUrl},
		);
		for (let i = 0; i < 3; i++) await collectGarbage(page);
		await new Promise((resolve) => setTimeout(resolve, 300));
		const baseline = await sample(page);
		const peak = {...baseline};
		let samples = 0;
		let uploading = true;
		const sampler = (async () => {
			while (uploading) {
				const now = await sample(page);
				samples++;
				peak.jsHeap = Math.max(peak.jsHeap, now.jsHeap);
				peak.withBuffers = Math.max(peak.withBuffers, now.withBuffers);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		})();
		const result = await page
			.evaluate(
				async ({size, partSize, concurrency}) => {
					const {client, credentials} = window.benchMemory;
					const start = performance.now();
					const result = await window.topsecOss.upload(client, window.bench.fileOf(size), {credentials: {merchantCode: 'm1'}, key: `${credentials.dir}bench/memory.bin`, partSize, concurrency});
					return {ms: performance.now() - start, size: result.size};
				},
				{size, partSize: PART_SIZE, concurrency: CONCURRENCY},
			)
			.finally(() => (uploading = false));
		await sampler;
		if (result.size !== size) throw new Error(`uploaded ${result.size} bytes, expected ${size}`);

		// The live set: the same upload again, with a full GC before every sample, so garbage (finished parts V8 has
		// not collected yet) does not count. Slower, so only the memory figure is kept.
		for (let i = 0; i < 3; i++) await collectGarbage(page);
		const liveBaseline = await sample(page);
		let livePeak = liveBaseline.withBuffers;
		let liveUploading = true;
		const liveSampler = (async () => {
			while (liveUploading) {
				await collectGarbage(page);
				livePeak = Math.max(livePeak, (await sample(page)).withBuffers);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		})();
		await page
			.evaluate(
				async ({size, partSize, concurrency}) => {
					const {client, credentials} = window.benchMemory;
					await window.topsecOss.upload(client, window.bench.fileOf(size), {credentials: {merchantCode: 'm1'}, key: `${credentials.dir}bench/memory-live.bin`, partSize, concurrency});
				},
				{size, partSize: PART_SIZE, concurrency: CONCURRENCY},
			)
			.finally(() => (liveUploading = false));
		await liveSampler;
		const live = livePeak - liveBaseline.withBuffers;
		log(`  live set (GC before each sample): ${MB(live)}`);
		const withBuffers = peak.withBuffers - baseline.withBuffers;
		const jsHeap = peak.jsHeap - baseline.jsHeap;
		const goal = CONCURRENCY * PART_SIZE + 32 * 1024 * 1024;
		log(`  ${samples} samples over ${fmt(result.ms / 1000, 1)} s (${fmt(mbps(size, result.ms), 0)} MiB/s); baseline ${MB(baseline.withBuffers)}, peak ${MB(peak.withBuffers)} with ArrayBuffers, JS heap ${MB(baseline.jsHeap)} → ${MB(peak.jsHeap)}`);
		const label = `${size / MiB} MiB upload(), part ${PART_SIZE / MiB} MiB × ${CONCURRENCY}`;
		return {
			rows: [
				row(`heap peak − baseline incl. ArrayBuffers (${label})`, MB(withBuffers), `≤ ${MB(goal)}`, withBuffers <= goal),
				row('JSHeapUsedSize peak − baseline (same run)', MB(jsHeap), `≤ ${MB(goal)}`, jsHeap <= goal),
				row('live set incl. ArrayBuffers (GC forced before each sample)', MB(live), `≤ ${MB(goal)}`, live <= goal),
				row(`upload() ${size / MiB} MiB throughput (same run)`, `${fmt(mbps(size, result.ms), 0)} MiB/s`, '', null),
			],
			raw: {size, baseline, peak, samples, ms: result.ms, live: {baseline: liveBaseline, peak: livePeak}},
		};
	} finally {
		await page.evaluate(() => window.bench.dropFiles()).catch(() => {});
		await page.close();
	}
}
