import {defineConfig} from '@playwright/test';

// Debian's Chromium (installed by `npm test` when missing); Playwright cannot download its own browsers here.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
	testDir: 'e2e',
	testMatch: '**/*.spec.ts',
	timeout: 60_000,
	expect: {timeout: 10_000},
	fullyParallel: false,
	workers: 2,
	retries: 0,
	reporter: [['list']],
	outputDir: 'test-results',
	use: {
		headless: true,
		trace: 'off',
		screenshot: 'only-on-failure',
	},
	projects: [
		{
			name: 'chromium',
			use: {browserName: 'chromium', launchOptions: {executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: chromiumArgs}},
		},
		// Debian's firefox-esr through Playwright's WebDriver BiDi channel (`moz-firefox`; needs Playwright 1.64: 1.65 sends
		// `emulation.setMediaFeaturesOverride`, which ESR does not know). The token and upload specs run whole; their
		// `@core` tests are the flows scripts/webkit-core.mjs runs in WebKit too. Firefox resolves `*.localhost` to
		// loopback itself, so the OSS emulator's virtual-hosted bucket needs no DNS help.
		{
			name: 'firefox',
			testMatch: ['**/sectoken.spec.ts', '**/upload.spec.ts'],
			use: {
				browserName: 'firefox',
				channel: 'moz-firefox',
				launchOptions: {executablePath: process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr'},
			},
		},
	],
});
