/**
TOP's XML rendering (`format=xml`): one element per field, nested objects as nested elements, array items as
repeated elements of the field's name.
@module
*/

const XML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'};

/** Escapes text for an XML element body or attribute. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);

function element(name: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
	if (typeof value === 'object') {
		let inner = '';
		for (const [key, child] of Object.entries(value)) inner += element(key, child);
		return `<${name}>${inner}</${name}>`;
	}
	return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
The XML document for `value` under the root element `root`.
@example
```
toXml('error_response', {code: 25, msg: 'Invalid signature'});
// <?xml version="1.0" encoding="utf-8" ?><error_response><code>25</code><msg>Invalid signature</msg></error_response>
```
*/
export function toXml(root: string, value: Record<string, unknown>): string {
	return `<?xml version="1.0" encoding="utf-8" ?>${element(root, value)}`;
}
