/**
Strict `application/x-www-form-urlencoded` decoding over bytes: `+` is a space, `%XX` a byte, and the bytes of each
name and value must be valid UTF-8 (`URLSearchParams` would silently turn bad bytes into U+FFFD, where TOP answers
code 47).
@module
*/

const strict = new TextDecoder('utf-8', {fatal: true});
const lenient = new TextDecoder('utf-8');

/** Decoded form fields; the first occurrence of a name wins, as `ServletRequest.getParameter` does. */
export type DecodedForm = {
	/** Fields, in a prototype-less object. */
	params: Record<string, string>;
	/** Whether some name or value was not valid UTF-8 (it was decoded with U+FFFD then). */
	badEncoding: boolean;
};

const hexValue = (byte: number): number => (byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x41 && byte <= 0x46 ? byte - 0x37 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : -1);

function unescapeBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
	const out = new Uint8Array(end - start);
	let n = 0;
	for (let i = start; i < end; i++) {
		const byte = bytes[i]!;
		if (byte === 0x2b) {
			out[n++] = 0x20;
		} else if (byte === 0x25 && i + 2 < end && hexValue(bytes[i + 1]!) >= 0 && hexValue(bytes[i + 2]!) >= 0) {
			out[n++] = (hexValue(bytes[i + 1]!) << 4) | hexValue(bytes[i + 2]!);
			i += 2;
		} else {
			// A stray `%` stays literal, as URLSearchParams leaves it.
			out[n++] = byte;
		}
	}
	return out.subarray(0, n);
}

/** Decodes a form body or a query string (without `?`) given as bytes. */
export function decodeForm(bytes: Uint8Array): DecodedForm {
	const params: Record<string, string> = Object.create(null);
	let badEncoding = false;
	const decode = (start: number, end: number): string => {
		const raw = unescapeBytes(bytes, start, end);
		try {
			return strict.decode(raw);
		} catch {
			badEncoding = true;
			return lenient.decode(raw);
		}
	};
	let start = 0;
	while (start <= bytes.length) {
		let end = bytes.indexOf(0x26, start);
		if (end === -1) end = bytes.length;
		if (end > start) {
			let equals = bytes.indexOf(0x3d, start);
			if (equals === -1 || equals > end) equals = end;
			const name = decode(start, equals);
			const value = equals < end ? decode(equals + 1, end) : '';
			if (name !== '' && !(name in params)) params[name] = value;
		}
		start = end + 1;
	}
	return {params, badEncoding};
}
