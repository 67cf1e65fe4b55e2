// The Songs view of a band, a song's page (its takes across recordings, rename, delete)
// and the stem mix carried from one take of a song to the next. The songs are the
// test's own (takes.spec.ts names "Blue song" in the same band): made through the API
// on the rehearsal's two takes, and deleted at the end, which leaves the takes unfiled.
import { expect, test, type Page } from '@playwright/test';
import { REHEARSAL } from './global-setup';
import { assignTake, bandId, createSong, deleteSongs, recordingWithTakes } from './api';
import { playhead, shot, stem } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

const TITLE = REHEARSAL.file.replace(/\.wav$/, '');
const SONG = 'Night groove';
const RENAMED = 'Night groove (live)';
const EMPTY_SONG = 'Another tune';
const MINE = [SONG, RENAMED, EMPTY_SONG];

let profileId = '';
let recordingId = '';

test.beforeAll(async ({ request }) => {
	profileId = await bandId(request, REHEARSAL.band);
	await deleteSongs(request, profileId, MINE);
	const rec = await recordingWithTakes(request, profileId, TITLE);
	recordingId = rec.id;
	expect(rec.takes).toHaveLength(2);
	const song = await createSong(request, profileId, SONG, rec.takes[0].id);
	await assignTake(request, rec.takes[1].id, song);
	await createSong(request, profileId, EMPTY_SONG);
});

test.afterAll(async ({ request }) => {
	await deleteSongs(request, profileId, MINE);
});

const songRow = (page: Page, title: string) => page.locator(`[data-testid=song-row][data-title="${title}"]`);

async function openSong(page: Page, title = SONG) {
	await page.goto(`/bands/${REHEARSAL.band}/songs`);
	await songRow(page, title).getByRole('link', { name: title }).click();
	await expect(page.getByTestId('song-title')).toHaveText(title);
}

async function ready(page: Page) {
	await expect(page.getByTestId('recording-title')).toHaveText(TITLE);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
}

test('the Songs view lists the songs by title with their takes and rehearsal dates', async ({ page }) => {
	await page.goto(`/bands/${REHEARSAL.band}`);
	await expect(page.getByTestId('tab-recordings')).toHaveAttribute('aria-current', 'page');
	await page.getByTestId('tab-songs').click();
	await expect(page).toHaveURL(new RegExp(`/bands/${REHEARSAL.band}/songs$`));
	await expect(page.getByTestId('tab-songs')).toHaveAttribute('aria-current', 'page');

	const titles = await page.getByTestId('song-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title')!));
	expect(titles).toContain(SONG);
	expect(titles).toContain(EMPTY_SONG);
	expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' })));
	expect(titles.indexOf(EMPTY_SONG)).toBeLessThan(titles.indexOf(SONG));
	await expect(page.getByTestId('song-count')).toHaveText(String(titles.length));

	// Two takes, from the one rehearsal (recorded today, when the tests' data was made).
	const today = await page.evaluate(() => new Date().toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }));
	await expect(songRow(page, SONG).getByTestId('song-takes')).toHaveText('2 takes');
	await expect(songRow(page, SONG).getByTestId('song-dates')).toHaveText(today);
	await expect(songRow(page, EMPTY_SONG).getByTestId('song-takes')).toHaveText('0 takes');
	await expect(songRow(page, EMPTY_SONG).getByTestId('song-dates')).toHaveCount(0);
	await shot(page, 'songs');

	// A band without songs says how they appear.
	await page.goto('/bands/side/songs');
	await expect(page.getByTestId('songs-empty')).toContainText('No songs yet');
	await expect(page.getByTestId('songs-empty')).toContainText('take is named');
	await expect(page.getByTestId('song-row')).toHaveCount(0);
});

test("a song's page lists its takes oldest first and plays one", async ({ page }) => {
	await openSong(page);
	const takes = page.getByTestId('song-take');
	await expect(takes).toHaveCount(2);
	await expect(takes.nth(0)).toContainText(TITLE);
	await expect(takes.nth(0)).toContainText('Take 1');
	await expect(takes.nth(0).getByTestId('song-take-start')).toHaveText('at 0:00');
	await expect(takes.nth(0).getByTestId('song-take-length')).toHaveText('0:36');
	await expect(takes.nth(0).getByTestId('song-take-bpm')).toHaveText('112 BPM');
	await expect(takes.nth(0).getByTestId('song-take-key')).toHaveText(/^([A-G][#b]?( major| minor|m)?|key \?)/);
	await expect(takes.nth(1)).toContainText('Take 2');
	await expect(takes.nth(1).getByTestId('song-take-start')).toHaveText('at 0:50');
	await expect(takes.nth(1).getByTestId('song-take-length')).toHaveText('0:36');
	await shot(page, 'song');

	// "Play" opens the recording at that take: paused, play head at its start, looped.
	await takes.nth(1).getByTestId('song-take-play').click();
	await expect(page).toHaveURL(new RegExp(`/recordings/${recordingId}\\?take=2$`));
	await ready(page);
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByTestId('loop')).toHaveText(/0:(49\.9|50\.0)–1:26\.0/);
	await expect(page.getByTestId('take-row').nth(1).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
});

test('switching between two takes of a song keeps the stem mix', async ({ page }) => {
	const asked: string[] = [];
	page.on('dialog', (d) => {
		asked.push(d.message());
		void d.accept();
	});
	await openSong(page);
	await page.getByTestId('song-take').nth(0).getByTestId('song-take-play').click();
	await ready(page);
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);
	const drums = stem(page, 'drums').getByTestId('fader');
	await expect(drums).toHaveAttribute('data-db', '0');
	await drums.focus();
	await page.keyboard.press('PageDown');
	await expect(drums).toHaveAttribute('data-db', '-6');
	await stem(page, 'bass').getByTestId('mute').click();
	await stem(page, 'vocals').getByTestId('solo').click();
	await stem(page, 'vocals').getByTestId('solo').click();

	// Back to the song, and its other take: the same mix, unsaved.
	await page.goBack();
	await expect(page.getByTestId('song-title')).toHaveText(SONG);
	expect(asked.length).toBe(1); // unsaved faders: leaving asked first
	await page.getByTestId('song-take').nth(1).getByTestId('song-take-play').click();
	await ready(page);
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	await expect(stem(page, 'drums').getByTestId('fader')).toHaveAttribute('data-db', '-6');
	await expect(stem(page, 'bass').getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
	await expect(stem(page, 'vocals').getByTestId('solo')).toHaveAttribute('aria-pressed', 'false');
	await expect(stem(page, 'other').getByTestId('fader')).toHaveAttribute('data-db', '0');
	await expect(page.getByTestId('save-mix')).toHaveText('Save mix');

	// "Next take →" in the take list goes round to the song's first take, mix kept.
	await page.getByTestId('take-row').nth(1).getByTestId('next-take-of-song').click();
	await expect(page).toHaveURL(new RegExp(`/recordings/${recordingId}\\?take=1$`));
	await ready(page);
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);
	await expect(stem(page, 'drums').getByTestId('fader')).toHaveAttribute('data-db', '-6');
	await expect(stem(page, 'bass').getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');

	// The recording opened on its own (not at a take of the song) has its saved mix.
	await page.goto(`/recordings/${recordingId}`);
	await ready(page);
	await expect(stem(page, 'drums').getByTestId('fader')).toHaveAttribute('data-db', '0');
	await expect(stem(page, 'bass').getByTestId('mute')).toHaveAttribute('aria-pressed', 'false');
});

test('renames and deletes a song; its takes stay, filed under no song', async ({ page, request }) => {
	await openSong(page);
	await page.getByTestId('song-rename').click();
	const input = page.getByTestId('song-rename-input');
	await expect(input).toBeFocused();
	await input.fill(RENAMED);
	await input.press('Enter');
	await expect(page.getByTestId('song-title')).toHaveText(RENAMED);
	await page.reload();
	await expect(page.getByTestId('song-title')).toHaveText(RENAMED);

	// Delete asks first, with Cancel focused: Enter does not delete.
	await page.getByTestId('song-delete').click();
	const dialog = page.getByRole('dialog', { name: 'Delete this song?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(RENAMED);
	await expect(dialog.getByTestId('confirm-cancel')).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(dialog).toBeHidden();
	await expect(page.getByTestId('song-title')).toHaveText(RENAMED);

	await page.getByTestId('song-delete').click();
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(page).toHaveURL(new RegExp(`/bands/${REHEARSAL.band}/songs$`));
	await expect(songRow(page, RENAMED)).toHaveCount(0);
	await expect(songRow(page, EMPTY_SONG)).toHaveCount(1);

	const rec = await recordingWithTakes(request, profileId, TITLE);
	expect(rec.takes).toHaveLength(2);
	for (const t of rec.takes) {
		expect(t.songId).toBeNull();
		expect(t.suggestedSongId).toBeNull();
	}
});
