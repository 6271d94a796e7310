import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {isOssError, OssError} from '../src/errors/oss-error.js';
import {completeMultipartXml, parseOssError, readServerTime, xmlBlocks, xmlEscape, xmlValue, xmlValues} from '../src/oss/xml.js';

const SKEWED = `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>RequestTimeTooSkewed</Code>
  <Message>The difference between the request time and the current time is too large.</Message>
  <RequestId>65A1B2C3D4E5F6A7B8C9D0E1</RequestId>
  <HostId>topsec-dev.oss-cn-hangzhou.aliyuncs.com</HostId>
  <MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>
  <RequestTime>2024-01-02T03:04:05.000Z</RequestTime>
  <ServerTime>2024-01-02T03:34:05.000Z</ServerTime>
  <EC>0002-00000504</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000504</RecommendDoc>
</Error>`;

const LIST_PARTS = `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Bucket>topsec-dev</Bucket><Key>uploads/m1/a&amp;b.mp4</Key><UploadId>0004B999EF5A239BB9138C6227D69F95</UploadId>
  <NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>
  <Part><PartNumber>1</PartNumber><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"3349DC700140D7F86A0784842780****"</ETag><Size>6291456</Size></Part>
  <Part>
    <PartNumber>2</PartNumber><ETag>&quot;3349DC700140D7F86A0784842780AAAA&quot;</ETag><Size>1024</Size>
  </Part>
</ListPartsResult>`;

describe('xml readers', () => {
	it('xmlValue / xmlValues decode entities and CDATA; missing → undefined / []', () => {
		assert.equal(xmlValue(LIST_PARTS, 'Key'), 'uploads/m1/a&b.mp4');
		assert.equal(xmlValue(LIST_PARTS, 'UploadId'), '0004B999EF5A239BB9138C6227D69F95');
		assert.deepEqual(xmlValues(LIST_PARTS, 'PartNumber'), ['1', '2']);
		assert.equal(xmlValue(LIST_PARTS, 'Nope'), undefined);
		assert.deepEqual(xmlValues('', 'Part'), []);
		assert.equal(xmlValue('<A><![CDATA[x<y>&amp;]]></A>', 'A'), 'x<y>&amp;');
		assert.equal(xmlValue('<A>&#20013;&#x6587;&lt;&apos;&unknown;</A>', 'A'), "中文<'&unknown;");
	});
	it('xmlBlocks: raw blocks in order, attributes, self-closing, no prefix confusion', () => {
		const parts = xmlBlocks(LIST_PARTS, 'Part');
		assert.equal(parts.length, 2);
		assert.deepEqual(parts.map((part) => xmlValue(part, 'ETag')), ['"3349DC700140D7F86A0784842780****"', '"3349DC700140D7F86A0784842780AAAA"']);
		assert.deepEqual(parts.map((part) => Number(xmlValue(part, 'Size'))), [6291456, 1024]);
		assert.deepEqual(xmlBlocks(LIST_PARTS, 'ListPartsResult').length, 1);
		assert.deepEqual(xmlBlocks('<a><b x="1">one</b><b/><b  y="2" /><bc>no</bc></a>', 'b'), ['one', '', '']);
	});
	it('xmlEscape', () => {
		assert.equal(xmlEscape(`"a"&<b>'`), `"a"&amp;&lt;b&gt;'`);
		assert.equal(xmlValue(`<X>${xmlEscape('a&<>"\'z')}</X>`, 'X'), 'a&<>"\'z');
	});
});

describe('parseOssError', () => {
	it('reads Code, Message, RequestId, EC and keeps ServerTime readable', () => {
		const error = parseOssError(SKEWED, 403, 'header-id');
		assert.ok(error instanceof OssError && isOssError(error));
		assert.equal(error.code, 'RequestTimeTooSkewed');
		assert.equal(error.status, 403);
		assert.equal(error.requestId, '65A1B2C3D4E5F6A7B8C9D0E1');
		assert.equal(error.ec, '0002-00000504');
		assert.match(error.message, /RequestTimeTooSkewed \(HTTP 403\): The difference/);
		assert.equal(readServerTime(SKEWED), Date.UTC(2024, 0, 2, 3, 34, 5));
	});
	it('falls back for an empty body (HEAD) and a header request id', () => {
		const error = parseOssError('', 404, 'header-id');
		assert.equal(error.code, 'Http404');
		assert.equal(error.requestId, 'header-id');
		assert.equal(error.ec, undefined);
		assert.equal(readServerTime(''), undefined);
		assert.equal(readServerTime('<ServerTime>garbage</ServerTime>'), undefined);
	});
});

describe('completeMultipartXml', () => {
	it('lists parts in the given (ascending) order and escapes ETags', () => {
		const xml = completeMultipartXml([
			{partNumber: 1, etag: '"A"'},
			{partNumber: 2, etag: '"B&"'},
		]);
		assert.equal(
			xml,
			'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"A"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"B&amp;"</ETag></Part></CompleteMultipartUpload>',
		);
		assert.deepEqual(xmlBlocks(xml, 'Part').map((part) => [xmlValue(part, 'PartNumber'), xmlValue(part, 'ETag')]), [['1', '"A"'], ['2', '"B&"']]);
	});
});
