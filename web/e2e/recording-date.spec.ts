import { expect, test } from '@playwright/test';
import { TONE } from './global-setup';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

const day = (d: Date) => d.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });

test('the list shows when a recording was made; a member corrects the date', async ({ page }) => {
	// Processed minutes ago, recorded in March: the file's time is the recording date.
	await page.goto(`/bands/${TONE.band}`);
	const row = page.getByTestId('recording-row').first();
	await expect(row.getByTestId('recorded-at')).toHaveText(day(TONE.recorded));
	await expect(row.getByTestId('recorded-at')).toHaveAttribute('title', /recorded .* · processed /);

	await row.getByRole('link').first().click();
	const date = page.getByTestId('recorded-at');
	await expect(date).toHaveText(`recorded ${day(TONE.recorded)}`);

	// A date in the future is refused by the server, and said so.
	await date.click();
	const input = page.getByTestId('recorded-at-input');
	await expect(input).toBeFocused();
	await input.fill('2999-01-01T20:00');
	await page.getByTestId('recorded-at-save').click();
	await expect(page.getByTestId('recorded-at-error')).toContainText('outside 1970 to today');

	// A real one is kept, and the player's shortcuts stay out of the box while typing.
	await input.fill('2026-02-20T21:15');
	await input.press('Enter');
	await expect(date).toHaveText(`recorded ${day(new Date(2026, 1, 20))}`);
	await page.reload();
	await expect(page.getByTestId('recorded-at')).toHaveText(`recorded ${day(new Date(2026, 1, 20))}`);
	await page.goto(`/bands/${TONE.band}`);
	await expect(page.getByTestId('recording-row').first().getByTestId('recorded-at')).toHaveText(day(new Date(2026, 1, 20)));
});
