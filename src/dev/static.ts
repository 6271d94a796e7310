/**
A small static file handler for the dev server and the e2e page server: maps URL prefixes to folders, never
serves outside them, and sends correct types with `no-store` so a reload always sees the latest build.
@module
*/
import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import type {IncomingMessage, ServerResponse} from 'node:http';
import {extname, join, normalize, resolve, sep} from 'node:path';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
};

/** A URL prefix served from a folder; `index` is served for the prefix itself. */
export type StaticMount = {prefix: string; dir: string; index?: string};

/** Returns a handler answering files under the mounts, or `false` when no mount has the path. */
export function createStaticHandler(mounts: readonly StaticMount[]): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
	const roots = mounts.map((mount) => ({...mount, dir: resolve(mount.dir)}));
	return async (req, res) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') return false;
		let path: string;
		try {
			path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		} catch {
			return false;
		}
		for (const {prefix, dir, index} of roots) {
			if (!path.startsWith(prefix)) continue;
			let rest = path.slice(prefix.length);
			if ((rest === '' || rest === '/') && index) rest = index;
			const file = normalize(join(dir, rest));
			if (file !== dir && !file.startsWith(dir + sep)) continue; // Never outside the mount.
			try {
				const info = await stat(file);
				if (!info.isFile()) continue;
				res.writeHead(200, {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store'});
				if (req.method === 'HEAD') res.end();
				else createReadStream(file).pipe(res);
				return true;
			} catch {
				continue;
			}
		}
		return false;
	};
}
