// One build for the package (ESM + declarations), one for the <script> file, one for the demo page.
// package.json's `exports` is the source of truth for entry names.
import typescript from '@rollup/plugin-typescript';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import {existsSync, readdirSync, rmSync} from 'node:fs';

// dist/ is not wiped first: parallel builds (and a running dev server) must never see it empty.

const external = (id) => id.startsWith('node:') || id === 'ky' || id === 'idb-keyval';
const onwarn = (warning, warn) => {
	if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
	warn(warning);
};

// Chunks of earlier builds, removed once this build's are written (dist/ is never emptied first, see above), so a
// published package or a long-lived checkout does not accumulate stale chunks.
const dropStaleChunks = {
	name: 'drop-stale-chunks',
	writeBundle(_options, bundle) {
		if (!existsSync('dist/chunks')) return;
		for (const name of readdirSync('dist/chunks')) if (!bundle[`chunks/${name}`]) rmSync(`dist/chunks/${name}`, {force: true});
	},
};

const packageBuild = {
	input: {
		index: 'src/index.ts',
		oss: 'src/oss/index.ts',
		miniapp: 'src/miniapp/index.ts',
		proxy: 'src/proxy/index.ts',
		emulator: 'src/emulator/index.ts',
		cli: 'src/cli.ts',
	},
	external,
	onwarn,
	output: {dir: 'dist', format: 'es', sourcemap: true, chunkFileNames: 'chunks/[name]-[hash].js'},
	plugins: [typescript({tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist', outDir: 'dist'}), dropStaleChunks],
};

const browserBundle = (input, file, extra = {}) => ({
	input,
	onwarn,
	output: {file, format: 'es', sourcemap: true, ...extra},
	plugins: [
		nodeResolve({browser: true}),
		typescript({tsconfig: './tsconfig.browser.json', noEmitOnError: true}),
		// Our own shipped files, so squeezed harder than the size check's consumer bundles (three compress passes).
		terser({ecma: 2020, compress: {passes: 3}}),
	],
});

const builds = [packageBuild];
if (existsSync('src/iife.ts')) builds.push(browserBundle('src/iife.ts', 'dist/topsec.iife.min.js', {format: 'iife', name: 'TopSec'}));
for (const page of ['main']) if (existsSync(`demo/${page}.ts`)) builds.push(browserBundle(`demo/${page}.ts`, `dist/demo/${page}.js`));

export default builds;
