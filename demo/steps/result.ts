// Step 5: what upload() returned — the object's key and URL, ETag, CRC-64 — and for images a preview downloaded back
// from OSS with a signed GET (the emulator, like a private bucket, refuses unsigned reads of the URL).
import {signOssRequest, type UploadResult} from '../../src/oss/index.js';
import type {Session} from '../session.js';
import {byId, describeError, formatBytes, h} from '../util.js';
import {markDone} from './state.js';

const REFRESH_CODES = /<Code>(SecurityTokenExpired|InvalidAccessKeyId|InvalidSecurityToken)<\/Code>/;

export function setupResultStep(session: Session, fetchLogged: typeof fetch): (result: UploadResult, file: File) => void {
	const list = byId<HTMLUListElement>('results');

	/** GET the object with a V4 signature; renews the credentials once if OSS refuses them. */
	async function download(result: UploadResult): Promise<Blob> {
		for (let attempt = 0; ; attempt++) {
			const client = session.client();
			const credentials = await session.getCredentials(attempt > 0);
			const headers = await signOssRequest(credentials, {method: 'GET', bucket: result.bucket, key: result.key}, {now: client.now()});
			const response = await fetchLogged(result.url, {headers});
			if (response.ok) return response.blob();
			const text = await response.text();
			if (attempt === 0 && response.status === 403 && REFRESH_CODES.test(text)) continue;
			throw new Error(`GET answered ${response.status} ${/<Code>([^<]+)/.exec(text)?.[1] ?? ''}`.trim());
		}
	}

	async function preview(result: UploadResult, file: File, figure: HTMLElement) {
		const image = h('img', {alt: `Preview of ${file.name}`, class: 'preview'});
		const caption = h('figcaption', {class: 'small muted'}, 'Downloading it back from OSS…');
		figure.append(image, caption);
		try {
			const blob = await download(result);
			image.src = URL.createObjectURL(blob);
			caption.textContent = `Downloaded back from OSS with a signed GET: ${formatBytes(blob.size)}${blob.size === file.size ? ', the same size as the file' : ` — the file has ${formatBytes(file.size)}!`}.`;
		} catch (error) {
			image.src = URL.createObjectURL(file);
			caption.textContent = `Local preview (downloading it back failed: ${describeError(error)}).`;
		}
	}

	return (result, file) => {
		byId('results-empty').hidden = true;
		const facts = h('dl', {class: 'facts'});
		const fact = (name: string, value: Node | string) => facts.append(h('dt', {}, name), h('dd', {}, value));
		fact('key', h('code', {class: 'result-key'}, result.key));
		fact('URL', h('a', {href: result.url, target: '_blank', rel: 'noopener', class: 'result-url'}, result.url));
		fact('size', `${formatBytes(result.size)} (${result.size} bytes)`);
		fact('ETag', result.etag);
		fact('CRC-64', result.crc64);
		fact('parts sent', result.partsSent ? String(result.partsSent) : 'single PUT');
		const item = h('li', {class: 'result'}, h('h3', {class: 'small-heading'}, file.name), facts);
		if (file.type.startsWith('image/')) {
			const figure = h('figure', {class: 'preview-box'});
			item.append(figure);
			void preview(result, file, figure);
		}
		list.prepend(item);
		markDone('result');
	};
}
