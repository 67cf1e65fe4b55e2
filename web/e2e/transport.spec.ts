// The transport bar keeps its height when a loop is set: the stems under it stay put.
import { expect, test } from '@playwright/test';
import { playhead, shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

for (const width of [1440, 1024]) {
	test(`at ${width} px a loop does not push the stems down`, async ({ page }) => {
		await page.setViewportSize({ width, height: 900 });
		await page.goto('/bands/night');
		await page.getByTestId('recording-row').first().getByRole('link').first().click();
		await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
		await expect(page.getByTestId('practice')).toBeVisible();
		const firstStem = page.getByTestId('stem').first();
		const row = page.getByTestId('transport-row');
		const y0 = (await firstStem.boundingBox())!.y;
		const h0 = (await row.boundingBox())!.height;
		// A loop from 0:12.3 to 1:04.5 (long labels), and the practice controls changed.
		await page.getByTestId('scrubber').fill('12.3');
		await expect.poll(() => playhead(page)).toBeCloseTo(12.3, 1);
		await page.locator('body').click({ position: { x: 5, y: 5 } });
		await page.keyboard.press('i');
		await page.getByTestId('scrubber').fill('64.5');
		await expect.poll(() => playhead(page)).toBeCloseTo(64.5, 1);
		await page.locator('body').click({ position: { x: 5, y: 5 } });
		await page.keyboard.press('o');
		await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
		await page.getByTestId('speed-75').click();
		await expect(page.getByRole('button', { name: 'Clear loop' })).toBeVisible();
		const y1 = (await firstStem.boundingBox())!.y;
		const h1 = (await row.boundingBox())!.height;
		// One line: its height is that of its tallest control, the play button.
		const play = (await page.getByTestId('play').boundingBox())!;
		await shot(page, `transport-loop-${width}`);
		expect(h1).toBeLessThanOrEqual(play.height + 1);
		expect(h1).toBe(h0);
		expect(y1).toBe(y0);
	});
}
