// The small live plot of upload throughput: an inline SVG sparkline over the last 20 seconds, no library.
import {byId, formatBytes} from './util.js';

const SAMPLE_MS = 250;
const SAMPLES = 80; // 20 s
const [WIDTH, HEIGHT] = [300, 60];

export type ThroughputPlot = {
	/** Counts bytes that went out just now (from any upload). */
	add(bytes: number): void;
};

export function createThroughputPlot(): ThroughputPlot {
	const samples: number[] = Array.from({length: SAMPLES}, () => 0);
	let bytes = 0;
	let peak = 0;
	let timer: ReturnType<typeof setInterval> | undefined;
	let idle = 0;

	const draw = () => {
		const max = Math.max(...samples, 1);
		const points = samples.map((value, index) => `${((index / (SAMPLES - 1)) * WIDTH).toFixed(1)},${(HEIGHT - 2 - (value / max) * (HEIGHT - 6)).toFixed(1)}`);
		byId('plot-line').setAttribute('points', points.join(' '));
		byId('plot-area').setAttribute('d', `M0,${HEIGHT} L${points.join(' L')} L${WIDTH},${HEIGHT} Z`);
		byId('plot-now').textContent = `${formatBytes(samples.at(-1) ?? 0)}/s`;
		byId('plot-peak').textContent = `${formatBytes(peak)}/s`;
	};
	const sample = () => {
		const perSecond = (bytes * 1000) / SAMPLE_MS;
		bytes = 0;
		samples.push(perSecond);
		samples.shift();
		peak = Math.max(peak, perSecond);
		draw();
		// Stop ticking once the plot has been flat for a whole window; the next bytes start it again.
		idle = perSecond === 0 ? idle + 1 : 0;
		if (idle > SAMPLES) {
			clearInterval(timer);
			timer = undefined;
		}
	};
	draw();
	return {
		add(count) {
			if (!(count > 0)) return;
			bytes += count;
			idle = 0;
			timer ??= setInterval(sample, SAMPLE_MS);
		},
	};
}
