import { defineConfig } from '@playwright/test';

// Browser tests against the real `stemset serve` (see e2e/global-setup.ts): one server
// in bypass mode (everything but sign-in), one signing in through a real OpenID
// provider. Debian's Chromium, never a downloaded browser.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'e2e',
	outputDir: 'test-results/artifacts',
	globalSetup: './e2e/global-setup.ts',
	// The tests share one seeded server: run them in order, one at a time.
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 90_000,
	expect: { timeout: 15_000 },
	reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/report' }]],
	use: {
		browserName: 'chromium',
		headless: true,
		viewport: { width: 1440, height: 900 },
		colorScheme: 'dark',
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: chromium,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--autoplay-policy=no-user-gesture-required'
			]
		}
	},
	projects: [
		{
			name: 'app',
			testIgnore: /sign-in\.spec\.ts/,
			use: { baseURL: process.env.STEMSET_E2E_BYPASS_URL }
		},
		{
			name: 'sign-in',
			testMatch: /sign-in\.spec\.ts/,
			use: { baseURL: process.env.STEMSET_E2E_OIDC_URL }
		}
	]
});
