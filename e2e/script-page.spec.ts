// demo/script.html: the core flow with nothing but `<script src="/dist/topsec.iife.min.js">` and the global
// `TopSec` — secToken, upload with progress, result, and the token from storage after a reload.
import {writeFileSync} from 'node:fs';
import {test, expect} from '@playwright/test';
import {startDevCli, type DevCli} from './dev-cli.ts';

let dev: DevCli;
test.beforeAll(async () => {
	dev = await startDevCli();
});
test.afterAll(async () => {
	expect(await dev.stop()).toBe(0);
});

function makeFile(path: string, size: number, seed: number) {
	const bytes = Buffer.alloc(size);
	for (let i = 0, x = seed; i + 4 <= size; i += 4) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		bytes.writeUInt32LE(x >>> 0, i);
	}
	writeFileSync(path, bytes);
	return path;
}

test('the <script> page: secToken, upload, result, and the token from storage after a reload', async ({page}, testInfo) => {
	await page.setViewportSize({width: 375, height: 812});
	const scripts: string[] = [];
	const proxyCalls: string[] = [];
	page.on('request', (request) => {
		if (request.resourceType() === 'script') scripts.push(request.url());
		if (new URL(request.url()).pathname === '/top' && request.method() === 'POST') proxyCalls.push(request.url());
	});
	await page.goto(`${dev.url}/script.html`);

	// The SDK comes from the one classic script, nothing else.
	await expect(page.locator('script[type=module]')).toHaveCount(0);
	expect(scripts).toEqual([`${dev.url}/dist/topsec.iife.min.js`]);
	expect(await page.evaluate(() => typeof (window as unknown as {TopSec: {upload: unknown}}).TopSec.upload)).toBe('function');

	await page.getByRole('button', {name: 'Get secToken'}).click();
	await expect(page.locator('#token-source')).toHaveText('network');
	await expect(page.locator('#token')).toHaveText(/^\S{6}…\S{4}$/);

	const small = makeFile(testInfo.outputPath('small.bin'), 200 * 1024, 5);
	const large = makeFile(testInfo.outputPath('large.bin'), 10 * 1024 * 1024, 6); // over 8 MiB: multipart
	const chooser = page.waitForEvent('filechooser');
	await page.getByLabel('Files to upload').click();
	await (await chooser).setFiles([small, large]);

	await expect(page.locator('#uploads > li')).toHaveCount(2);
	for (const stats of await page.locator('#uploads .upload-stats').all()) await expect(stats).toHaveText('100 % · done', {timeout: 30_000});
	await expect(page.locator('#cred-bucket')).toHaveText('topsec-dev');
	await expect(page.locator('#cred-dir')).toHaveText('uploads/m1/');
	await expect(page.locator('#results > li')).toHaveCount(2);
	await expect(page.locator('#results .result-key').first()).toHaveText(/^uploads\/m1\/\d{4}-\d{2}-\d{2}\/[a-z0-9]{10}-(small|large)\.bin$/);
	await expect(page.locator('#results').getByText('10485760 bytes')).toBeVisible();
	await expect(page.locator('#error')).toBeHidden();
	await page.screenshot({path: testInfo.outputPath('script-375.png'), fullPage: true});

	const callsBefore = proxyCalls.length;
	await page.getByRole('button', {name: 'Reload the page'}).click();
	await expect(page.locator('#token-source')).toHaveText('storage');
	expect(proxyCalls.length).toBe(callsBefore);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test('the <script> file comes with its source map', async ({request}) => {
	const script = await request.get(`${dev.url}/dist/topsec.iife.min.js`);
	expect(script.ok()).toBe(true);
	expect(await script.text()).toContain('//# sourceMappingURL=topsec.iife.min.js.map');
	const map = await request.get(`${dev.url}/dist/topsec.iife.min.js.map`);
	expect(map.ok()).toBe(true);
	const {sources} = (await map.json()) as {sources: string[]};
	expect(sources.some((source) => source.endsWith('src/oss/upload.ts'))).toBe(true);
	expect(sources.some((source) => source.includes('node_modules/ky/'))).toBe(true); // dependencies inlined
	// Nothing else of dist/ is served.
	expect((await request.get(`${dev.url}/dist/proxy.js`)).status()).toBe(404);
});
