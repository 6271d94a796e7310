/**
Tiny tolerant readers and writers for the few XML documents OSS exchanges (errors, `InitiateMultipartUploadResult`,
`ListPartsResult`, `CompleteMultipartUpload`). Regular expressions, not `DOMParser`, so they also run in workers and
mini-apps. Tag names are plain element names (no regex characters).
@module
*/
import {OssError} from '../errors/oss-error.js';

const ENTITIES: Record<string, string> = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"};

/** Text content with CDATA unwrapped and entities (named and numeric) decoded. */
const decode = (text: string): string =>
	text.replace(/<!\[CDATA\[([\s\S]*?)]]>|&(#x[\da-f]+|#\d+|[a-z]+);/gi, (match, cdata?: string, entity?: string) =>
		// `Number` reads `0x…` as hex and `0…` as decimal.
		cdata ?? (entity![0] === '#' ? String.fromCodePoint(+('0' + entity!.slice(1))) : (ENTITIES[entity!] ?? match)),
	);

/**
The raw inner XML of every `<tag>` element (attributes allowed, `<tag/>` gives `''`), in document order. Elements of the
same name must not nest.
@example
```
xmlBlocks('<ListPartsResult><Part><PartNumber>1</PartNumber></Part><Part>…</Part></ListPartsResult>', 'Part')
// ['<PartNumber>1</PartNumber>', '…']
```
*/
export const xmlBlocks = (xml: string, tag: string): string[] =>
	Array.from(String(xml ?? '').matchAll(new RegExp(`<${tag}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'g')), (match) => match[1] ?? '');

/**
The decoded text of every `<tag>` element, in document order.
@example
```
xmlValues('<A><Key>a&amp;b</Key><Key>c</Key></A>', 'Key') // ['a&b', 'c']
```
*/
export const xmlValues = (xml: string, tag: string): string[] => xmlBlocks(xml, tag).map(decode);

/**
The decoded text of the first `<tag>` element, `undefined` when there is none.
@example
```
xmlValue('<InitiateMultipartUploadResult><UploadId>0004B9…</UploadId></InitiateMultipartUploadResult>', 'UploadId')
// '0004B9…'
```
*/
export const xmlValue = (xml: string, tag: string): string | undefined => xmlValues(xml, tag)[0];

/**
`text` escaped for XML text content (`&`, `<`, `>`; quotes need no escaping there).
@example
```
xmlEscape('"a"&<b>') // '"a"&amp;&lt;b&gt;'
```
*/
export const xmlEscape = (text: string): string => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
An {@link OssError} from an OSS error answer (`<Error><Code/><Message/><RequestId/><EC/>…`) and its HTTP status.
`requestId` (the `x-oss-request-id` header) is used when the body has none; without a body (e.g. HEAD) the code is
`Http<status>`. For `RequestTimeTooSkewed` read the server's clock with {@link readServerTime}.
@example
```
throw parseOssError(await response.text(), response.status, response.headers.get('x-oss-request-id') ?? undefined);
```
*/
export function parseOssError(xml: string, status: number, requestId?: string): OssError {
	return new OssError({
		code: xmlValue(xml, 'Code') || `Http${status}`,
		message: xmlValue(xml, 'Message') || `HTTP ${status}`,
		ec: xmlValue(xml, 'EC'),
		requestId: xmlValue(xml, 'RequestId') || requestId,
		status,
	});
}

/**
The server's clock from an error body's `<ServerTime>` (sent with `RequestTimeTooSkewed`), as epoch ms; `undefined`
when absent or unreadable.
@example
```
const offsetMs = (readServerTime(body) ?? Date.now()) - Date.now();
```
*/
export function readServerTime(xml: string): number | undefined {
	const time = Date.parse(xmlValue(xml, 'ServerTime') ?? '');
	return isNaN(time) ? undefined : time;
}

/**
The `<CompleteMultipartUpload>` body for `POST ?uploadId=`, ETags escaped as XML. `parts` must be in ascending
`partNumber` order, as OSS requires (`upload` builds them that way).
@example
```
completeMultipartXml([{partNumber: 1, etag: '"3858F6…"'}])
// '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"3858F6…"</ETag></Part></CompleteMultipartUpload>'
```
*/
export const completeMultipartXml = (parts: ReadonlyArray<{partNumber: number; etag: string}>): string =>
	`<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload>${parts
		.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${xmlEscape(part.etag)}</ETag></Part>`)
		.join('')}</CompleteMultipartUpload>`;
