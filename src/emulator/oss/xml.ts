/**
The little XML OSS speaks: escaping, building flat documents, and reading `<CompleteMultipartUpload>`.
@module
*/

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, c => `&${{'<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos'}[c]};`);
}

/** Undoes {@link escapeXml} plus numeric character references. */
export function unescapeXml(text: string): string {
	return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, name: string) => {
		const lower = name.toLowerCase();
		if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
		if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
		return {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"}[lower] ?? '';
	});
}

/** A child list: element name and text, or a nested list for a sub-element. */
export type XmlChildren = ReadonlyArray<readonly [string, string | number | boolean | XmlChildren]>;

/** `<name>…children…</name>` (no declaration). */
export function xmlElement(name: string, children: XmlChildren | string): string {
	if (typeof children === 'string') return `<${name}>${escapeXml(children)}</${name}>`;
	const inner = children
		.map(([child, value]) => (typeof value === 'object' ? xmlElement(child, value) : xmlElement(child, String(value))))
		.join('');
	return `<${name}>${inner}</${name}>`;
}

/** A whole document with the XML declaration OSS sends. */
export function xmlDocument(root: string, children: XmlChildren): string {
	return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(root, children)}\n`;
}

/** One `<Part>` of a CompleteMultipartUpload body. */
export type CompletePart = {partNumber: number; etag: string};

/**
Reads a `<CompleteMultipartUpload>` body. Returns `undefined` when it is not well-formed enough to trust (OSS answers
`MalformedXML`): wrong root, a Part without exactly one PartNumber and ETag, a non-integer PartNumber, or no parts.
*/
export function parseCompleteMultipartUpload(body: string): CompletePart[] | undefined {
	const text = body.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, '').trim();
	const root = /^<CompleteMultipartUpload(?:\s[^>]*)?>([\s\S]*)<\/CompleteMultipartUpload>$/.exec(text);
	if (!root) return undefined;
	const inner = root[1]!;
	const parts: CompletePart[] = [];
	const partPattern = /<Part>([\s\S]*?)<\/Part>/g;
	let rest = inner;
	for (const match of inner.matchAll(partPattern)) {
		const content = match[1]!;
		const numbers = [...content.matchAll(/<PartNumber>([^<]*)<\/PartNumber>/g)];
		const etags = [...content.matchAll(/<ETag>([^<]*)<\/ETag>/g)];
		if (numbers.length !== 1 || etags.length !== 1) return undefined;
		const numberText = numbers[0]![1]!.trim();
		if (!/^\d{1,9}$/.test(numberText)) return undefined;
		parts.push({partNumber: Number(numberText), etag: unescapeXml(etags[0]![1]!.trim())});
		rest = rest.replace(match[0], '');
	}
	// Anything but whitespace left over between the parts is not a schema OSS accepts.
	if (rest.trim() !== '' || parts.length === 0) return undefined;
	return parts;
}
