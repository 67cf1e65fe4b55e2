// Separating a recording again from its page: asks first, shows the job live, and the
// player comes back with the new stems.
import { expect, test } from '@playwright/test';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

test('separates a recording again from the player', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/bands/demo');
	await page.getByTestId('recording-row').filter({ hasText: 'Soundcheck' }).getByRole('link', { name: 'Soundcheck', exact: true }).click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	const before = await page.getByTestId('stem').count();

	await page.getByTestId('reprocess').click();
	const dialog = page.getByRole('dialog', { name: 'Separate this recording again?' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(page.getByTestId('job-status')).toHaveCount(0);

	await page.getByTestId('reprocess').click();
	await dialog.getByRole('button', { name: 'Separate again' }).click();
	await expect(dialog).toBeHidden();
	const status = page.getByTestId('job-status');
	await expect(status).toBeVisible();
	await expect(page.getByTestId('reprocess')).toBeDisabled();
	await expect(status).toHaveAttribute('data-state', 'succeeded', { timeout: 150_000 });
	// The page reloaded its data: a fresh player with the stems, ready to play.
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await expect(page.getByTestId('stem')).toHaveCount(before);
	await expect(page.getByTestId('reprocess')).toBeEnabled();
});
