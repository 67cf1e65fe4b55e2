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

test('phone: the player with a loop and the practice controls, the band, its songs and a song', async ({ page, request }) => {
	const { REHEARSAL } = await import('./global-setup');
	const { bandId, createSong, deleteSongs, recordingWithTakes } = await import('./api');
	const title = REHEARSAL.file.replace(/\.wav$/, '');
	const SONG = 'Phone song';
	const profileId = await bandId(request, REHEARSAL.band);
	await deleteSongs(request, profileId, [SONG]);
	const rec = await recordingWithTakes(request, profileId, title);
	await createSong(request, profileId, SONG, rec.takes[0].id);
	try {
		await page.setViewportSize({ width: 390, height: 844 });
		await page.goto(`/recordings/${rec.id}?loop=12.3-30.5`);
		await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
		await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
		await expect(page.getByTestId('practice')).toBeVisible();
		await page.getByTestId('speed-75').click();
		await shot(page, 'phone-player-loop');
		const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(await overflow()).toBeLessThanOrEqual(0);
		await page.goto(`/bands/${REHEARSAL.band}`);
		await expect(page.getByTestId('recording-row').first()).toBeVisible();
		await shot(page, 'phone-band');
		expect(await overflow()).toBeLessThanOrEqual(0);
		await page.goto(`/bands/${REHEARSAL.band}/songs`);
		const row = page.locator(`[data-testid=song-row][data-title="${SONG}"]`);
		await expect(row).toBeVisible();
		await shot(page, 'phone-songs');
		expect(await overflow()).toBeLessThanOrEqual(0);
		await row.getByRole('link', { name: SONG }).click();
		await expect(page.getByTestId('song-title')).toHaveText(SONG);
		await expect(page.getByTestId('song-take')).toHaveCount(1);
		await shot(page, 'phone-song');
		expect(await overflow()).toBeLessThanOrEqual(0);
	} finally {
		await deleteSongs(request, profileId, [SONG]);
	}
});
