/**
Does a text contain a secret, in any of the forms it could travel in? Raw, percent-encoded, JSON-escaped, hex, and
base64/base64url at each of the three byte alignments (a secret inside a longer base64 value is encoded differently
depending on where it starts). The dev server answers the demo's "secret appears in no request" check with it.
@module
*/

/** The base64 characters that depend on `bytes` alone when they sit at byte offset `shift` (0..2) of a longer value. */
function base64Core(bytes: Buffer, shift: number, alphabet: 'base64' | 'base64url'): string {
	const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString(alphabet);
	const first = Math.ceil((8 * shift) / 6);
	const end = Math.floor((8 * (shift + bytes.length)) / 6);
	return encoded.slice(first, end);
}

/** Returns a test for `secret`'s presence in a text. Forms shorter than 8 characters are not looked for. */
export function createLeakCheck(secret: string): (text: string) => boolean {
	const bytes = Buffer.from(secret, 'utf8');
	const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), bytes.toString('hex'), bytes.toString('hex').toUpperCase()]);
	for (const shift of [0, 1, 2]) for (const alphabet of ['base64', 'base64url'] as const) forms.add(base64Core(bytes, shift, alphabet));
	const needles = [...forms].filter((form) => form.length >= 8);
	return (text) => needles.some((needle) => text.includes(needle));
}
