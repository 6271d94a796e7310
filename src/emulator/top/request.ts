/**
Reads the params of a TOP request: the query string merged with a form-encoded POST body (the body wins).
@module
*/
import type {IncomingMessage} from 'node:http';
import {decodeForm} from './form.js';

/** The largest body the emulator reads (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What {@link readTopParams} found. */
export type ReadParams =
	| {
			kind: 'ok';
			/** Query and body params merged, in a prototype-less object. */
			params: Record<string, string>;
			/** Some bytes were not valid UTF-8, or the body declared another charset (TOP code 47). */
			badEncoding: boolean;
	  }
	| {kind: 'too-large'};

/** Reads the body, up to `maxBytes`; resolves `undefined` when it is larger (the rest is discarded). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) {
				cleanup();
				// Keep the socket readable so a 413 can still be answered; drain what remains.
				req.resume();
				resolve(undefined);
				return;
			}
			chunks.push(chunk);
		};
		const onEnd = () => {
			cleanup();
			resolve(Buffer.concat(chunks));
		};
		const onError = (error: Error) => {
			cleanup();
			reject(error);
		};
		const cleanup = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onError);
		};
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onError);
	});
}

/** Parses `Content-Type` into its media type and `charset`, both lower-cased. */
function contentType(header: string | undefined): {type: string; charset: string | undefined} {
	const [type = '', ...rest] = (header ?? '').split(';');
	let charset: string | undefined;
	for (const part of rest) {
		const [name, value] = part.split('=');
		if (name?.trim().toLowerCase() === 'charset' && value !== undefined) charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
	}
	return {type: type.trim().toLowerCase(), charset};
}

/**
Reads the params of `req`. The body is parsed only for POST with `application/x-www-form-urlencoded` (other bodies
are read and ignored, as a servlet would); a `charset` other than UTF-8 counts as a bad encoding.
*/
export async function readTopParams(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<ReadParams> {
	const url = req.url ?? '';
	const queryAt = url.indexOf('?');
	// Node hands over the request line as latin1, one char per byte: recover the bytes before decoding.
	const query = decodeForm(queryAt === -1 ? new Uint8Array(0) : Buffer.from(url.slice(queryAt + 1), 'latin1'));
	const params: Record<string, string> = Object.assign(Object.create(null), query.params);
	let badEncoding = query.badEncoding;
	if (req.method === 'POST') {
		const body = await readBody(req, maxBytes);
		if (body === undefined) return {kind: 'too-large'};
		const {type, charset} = contentType(req.headers['content-type']);
		if (type === 'application/x-www-form-urlencoded') {
			if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') badEncoding = true;
			const form = decodeForm(body);
			Object.assign(params, form.params);
			badEncoding ||= form.badEncoding;
		}
	}
	return {kind: 'ok', params, badEncoding};
}
