#!/usr/bin/env node
// The CLI lives in the build; `npm run build` (or `npm start`, which builds first) makes it.
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
	console.error('topsec: dist/cli.js is missing; run `npm run build` first.');
	process.exit(1);
}
await import(cli.href);
