// Screenshots of the main screens on a phone-sized viewport (for review; the layout must
// stay usable), plus the keyboard help.
import { expect, test } from '@playwright/test';
import { shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

test('phone layout', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto('/');
	await expect(page.getByTestId('band-card').first()).toBeVisible();
	await shot(page, 'phone-bands');
	await page.goto('/bands/demo');
	await expect(page.getByTestId('recording-row').first()).toBeVisible();
	await shot(page, 'phone-recordings');
	await page.getByTestId('recording-row').filter({ hasText: 'Tuesday rehearsal' }).getByRole('link').first().click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
	await shot(page, 'phone-player');
	// Nothing sticks out sideways.
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	expect(overflow).toBeLessThanOrEqual(0);
});

test('keyboard help', async ({ page }) => {
	await page.goto('/bands/demo');
	await page.getByTestId('recording-row').filter({ hasText: 'Soundcheck' }).getByRole('link').first().click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await page.keyboard.press('?');
	await expect(page.getByRole('region', { name: 'Keyboard shortcuts' }).getByText('Mute the selected stem')).toBeVisible();
	await shot(page, 'player-help');
});
