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

test('on a phone the transport takes two lines with a loop; loudness matching and master are in the Mix menu', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto('/bands/night');
	const href = await page.getByTestId('recording-row').first().getByRole('link').first().getAttribute('href');
	await page.goto(href!);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	const row = page.getByTestId('transport-row');
	const firstStem = page.getByTestId('stem').first();
	/** The row's controls by line (a new line starts below the bottom of the one before). */
	const lines = () =>
		row.evaluate((el) => {
			const boxes = [...el.children].map((c) => c.getBoundingClientRect()).filter((b) => b.width > 0);
			const out: DOMRect[][] = [];
			for (const b of boxes.sort((p, q) => p.top - q.top)) {
				const line = out[out.length - 1];
				if (line && b.top < Math.max(...line.map((x) => x.bottom))) line.push(b);
				else out.push([b]);
			}
			return out.length;
		});
	const y0 = (await firstStem.boundingBox())!.y;
	expect(await lines()).toBeLessThanOrEqual(2);

	await page.goto(`${href}?loop=12.3-64.5`);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await expect(page.getByRole('button', { name: 'Clear loop' })).toBeVisible();
	await shot(page, 'transport-loop-390');
	expect(await lines()).toBeLessThanOrEqual(2);
	expect((await firstStem.boundingBox())!.y).toBe(y0);
	for (const c of await row.locator('button, input').all()) {
		const b = (await c.boundingBox())!;
		expect(b.x + b.width).toBeLessThanOrEqual(390);
	}

	// Loudness matching and the master fader, one tap away.
	await expect(page.getByTestId('lufs-match')).toHaveCount(0);
	await page.getByTestId('transport-mix').click();
	const menu = page.getByTestId('transport-mix-menu');
	await expect(menu).toBeVisible();
	const m = (await menu.boundingBox())!;
	expect(m.x).toBeGreaterThanOrEqual(0);
	expect(m.x + m.width).toBeLessThanOrEqual(390);
	const lufs = menu.getByTestId('lufs-match');
	const was = await lufs.getAttribute('aria-checked');
	const flipped = was === 'true' ? 'false' : 'true';
	await lufs.click();
	await expect(lufs).toHaveAttribute('aria-checked', flipped);
	const master = menu.getByTestId('master-fader');
	await master.focus();
	await page.keyboard.press('PageDown');
	await expect(master).not.toHaveAttribute('data-db', '0');
	await shot(page, 'transport-mix-390');
	await page.keyboard.press('Escape');
	await expect(menu).toHaveCount(0);
	await page.getByTestId('transport-mix').click();
	await expect(menu.getByTestId('lufs-match')).toHaveAttribute('aria-checked', flipped);
	await menu.getByTestId('master-fader').dblclick();
	await menu.getByTestId('lufs-match').click();
});
