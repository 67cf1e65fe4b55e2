import { expect, test } from '@playwright/test';
import { shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

test('lists the bands and their recordings with length and stem count', async ({ page }) => {
	await page.goto('/');
	const band = page.getByTestId('band-card').filter({ hasText: 'Demo Band' });
	await expect(band).toContainText('4 recordings');
	await expect(page.getByTestId('band-card').filter({ hasText: 'Side Project' })).toContainText('0 recordings');
	await shot(page, 'bands');

	await band.click();
	await expect(page).toHaveURL(/\/bands\/demo$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo Band');
	const rows = page.getByTestId('recording-row');
	await expect(rows).toHaveCount(4);
	const tuesday = rows.filter({ hasText: 'Tuesday rehearsal' });
	await expect(tuesday).toContainText('0:48');
	await expect(tuesday).toContainText('4 stems');
	await shot(page, 'recordings');
});

test('searches and sorts', async ({ page }) => {
	await page.goto('/bands/demo');
	const rows = page.getByTestId('recording-row');
	await expect(rows).toHaveCount(4);

	await page.getByTestId('search').fill('blue');
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toHaveAttribute('data-title', 'Blue song take 2');
	await expect(page).toHaveURL(/[?&]q=blue/);
	await page.getByTestId('search').fill('no such song');
	await expect(page.getByText('No recording matches')).toBeVisible();
	await page.getByTestId('search').fill('');
	await expect(rows).toHaveCount(4);

	await page.getByTestId('sort').selectOption('name-asc');
	await expect(rows.first()).toHaveAttribute('data-title', 'Blue song take 2');
	await expect(rows.last()).toHaveAttribute('data-title', 'Tuesday rehearsal');
	await page.getByTestId('sort').selectOption('name-desc');
	await expect(rows.first()).toHaveAttribute('data-title', 'Tuesday rehearsal');
	await page.getByTestId('sort').selectOption('length-desc');
	await expect(rows.first()).toHaveAttribute('data-title', 'Full set');
	await expect(rows.last()).toHaveAttribute('data-title', 'Soundcheck');
	// The sort survives a reload (it is in the URL).
	await page.reload();
	await expect(rows.first()).toHaveAttribute('data-title', 'Full set');
});

test('renames a recording', async ({ page }) => {
	await page.goto('/bands/demo');
	const row = page.locator('[data-testid=recording-row][data-title="Blue song take 2"]');
	await row.getByTestId('rename').click();
	const input = row.getByTestId('rename-input');
	await expect(input).toBeFocused();
	await input.fill('Blue song (take 2)');
	await input.press('Enter');
	await expect(page.getByTestId('recording-row').filter({ hasText: 'Blue song (take 2)' })).toBeVisible();
	await page.reload();
	await expect(page.locator('[data-testid=recording-row][data-title="Blue song (take 2)"]')).toBeVisible();

	// Escape cancels.
	const renamed = page.locator('[data-testid=recording-row][data-title="Blue song (take 2)"]');
	await renamed.getByTestId('rename').click();
	await renamed.getByTestId('rename-input').fill('Something else');
	await renamed.getByTestId('rename-input').press('Escape');
	await expect(renamed.getByRole('link', { name: 'Blue song (take 2)', exact: true })).toBeVisible();
});

test('bypass mode: everyone is the development user', async ({ page }) => {
	await page.goto('/signin?return_to=%2Fbands%2Fdemo');
	// Already signed in: straight on to where we were going.
	await expect(page).toHaveURL(/\/bands\/demo$/);
	await page.getByTestId('user-menu').click();
	await expect(page.getByTestId('user-menu')).toContainText('dev');
	await expect(page.getByTestId('user-email')).toHaveText(/@/);
	await expect(page.getByText('Development mode: sign-in is bypassed.')).toBeVisible();
	const status = await (await page.request.get('/auth/status')).json();
	expect(status).toMatchObject({ authenticated: true, bypass: true, via: 'bypass' });
});
