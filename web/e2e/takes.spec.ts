// Takes on the recording page: regions on the timeline, the take list, jumping (click, [ ]),
// "loop this take", and naming a take's song (new song, suggestion confirmed).
import { expect, test, type Page } from '@playwright/test';
import { REHEARSAL } from './global-setup';
import { playhead, shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

const title = REHEARSAL.file.replace(/\.wav$/, '');

async function open(page: Page) {
	await page.goto(`/bands/${REHEARSAL.band}`);
	const href = await page
		.getByTestId('recording-row')
		.filter({ hasText: title })
		.getByRole('link', { name: title, exact: true })
		.getAttribute('href');
	await page.goto(href!);
	await expect(page.getByTestId('recording-title')).toHaveText(title);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
}

const rows = (page: Page) => page.getByTestId('take-row');
const regions = (page: Page) => page.getByTestId('take-region');
const songOf = (page: Page, i: number) => rows(page).nth(i).getByTestId('take-song').locator('option:checked');

async function blur(page: Page) {
	await page.locator('body').click({ position: { x: 5, y: 5 } });
}

test('shows the takes on the timeline and in a list; jumps and loops them', async ({ page }) => {
	await open(page);
	await expect(regions(page)).toHaveCount(2);
	await expect(rows(page)).toHaveCount(2);
	for (const r of await regions(page).all()) await expect(r).toHaveAttribute('data-kind', 'take');
	await expect(rows(page).nth(0).getByTestId('take-start')).toHaveText('0:00');
	await expect(rows(page).nth(1).getByTestId('take-start')).toHaveText('0:50');
	await expect(rows(page).nth(0)).toContainText('0:36');
	await expect(rows(page).nth(0)).toContainText('112');
	await expect(rows(page).nth(1)).toContainText('112');
	// The second region starts about 50/86 of the way along the timeline.
	const lane = (await page.getByTestId('waveform').first().boundingBox())!;
	const second = (await regions(page).nth(1).boundingBox())!;
	expect((second.x - lane.x) / lane.width).toBeCloseTo(50 / 86, 1);
	await shot(page, 'takes');

	// Clicking a row moves the play head to its take.
	await rows(page).nth(1).click({ position: { x: 4, y: 4 } });
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	await expect(rows(page).nth(1)).toHaveAttribute('aria-current', 'true');
	// And clicking a region.
	await regions(page).nth(0).click();
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);

	// ] and [ go to the next and previous take.
	await blur(page);
	await page.keyboard.press(']');
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	await page.keyboard.press(']'); // no take after the last: stays
	await page.keyboard.press('[');
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('[');
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);

	// "Loop this take" sets the loop to the take's span and goes into it.
	await rows(page).nth(1).getByTestId('loop-take').click();
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByTestId('loop')).toHaveText(/0:(49\.9|50\.0)–1:26\.0/);
	await expect(page.getByTestId('loop-region')).toBeVisible();
	await expect(rows(page).nth(1).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	const loopBox = (await page.getByTestId('loop-region').boundingBox())!;
	expect(Math.abs(loopBox.x - second.x)).toBeLessThan(3);

	// While a take is looped, [ moves the loop to the previous take.
	await blur(page);
	await page.keyboard.press('[');
	await expect(page.getByTestId('loop')).toHaveText(/0:00\.0–0:36\.0/);
	await expect(rows(page).nth(0).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	await expect.poll(() => playhead(page)).toBeLessThan(0.5);

	// It plays inside the loop.
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
	await expect.poll(() => playhead(page)).toBeGreaterThan(1);
	expect(await playhead(page)).toBeLessThan(36.1);
	await page.getByTestId('play').click();

	// L turns it off; the take's Loop button follows.
	await blur(page);
	await page.keyboard.press('l');
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'false');
	await expect(rows(page).nth(0).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'false');
	// T loops the take at the play head.
	await page.keyboard.press('t');
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await expect(rows(page).nth(0).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
});

test("names a take's song; the other take of the same music is suggested it", async ({ page }) => {
	await open(page);
	await expect(rows(page)).toHaveCount(2);
	await expect(page.getByTestId('confirm-suggestion')).toHaveCount(0);

	// "New song…" asks for a title and files the take under the new song.
	await rows(page).nth(0).getByTestId('take-song').selectOption({ label: 'New song…' });
	const input = rows(page).nth(0).getByTestId('new-song-title');
	await expect(input).toBeFocused();
	await input.fill('Blue song');
	await input.press('Enter');
	await expect(input).toHaveCount(0);
	await expect(songOf(page, 0)).toHaveText('Blue song');
	await expect(regions(page).nth(0)).toHaveText('Blue song');

	// The second take sounds like it: "sounds like Blue song — confirm".
	const suggestion = rows(page).nth(1).getByTestId('confirm-suggestion');
	await expect(suggestion).toContainText('Sounds like Blue song');
	await expect(regions(page).nth(1)).toHaveText('Take 2 · sounds like Blue song?');
	await shot(page, 'takes-suggestion');
	await suggestion.click();
	await expect(suggestion).toHaveCount(0);
	await expect(songOf(page, 1)).toHaveText('Blue song');
	await expect(regions(page).nth(1)).toHaveText('Blue song');

	// The API's refusals are shown: the band already has a song of that title.
	await rows(page).nth(1).getByTestId('take-song').selectOption({ label: 'New song…' });
	await rows(page).nth(1).getByTestId('new-song-title').fill('Blue song');
	await rows(page).nth(1).getByTestId('create-song').click();
	await expect(page.getByTestId('take-error')).toContainText('already has a song called "Blue song"');
	await rows(page).nth(1).getByTestId('new-song-title').press('Escape');
	await expect(songOf(page, 1)).toHaveText('Blue song');

	// Kept: after a reload both takes are filed under the song.
	await page.reload();
	await expect(songOf(page, 0)).toHaveText('Blue song');
	await expect(songOf(page, 1)).toHaveText('Blue song');

	// Taking a take off its song, and filing it under the song from the list.
	await rows(page).nth(1).getByTestId('take-song').selectOption({ label: 'No song' });
	await expect(songOf(page, 1)).toHaveText('— no song —');
	// Unfiled again, it is compared with the band's songs like a new take: the song it was
	// taken off is suggested, not assigned.
	await expect(regions(page).nth(1)).toHaveText('Take 2 · sounds like Blue song?');
	await expect(rows(page).nth(1).getByTestId('confirm-suggestion')).toContainText('Sounds like Blue song');
	await rows(page).nth(1).getByTestId('take-song').selectOption({ label: 'Blue song' });
	await expect(songOf(page, 1)).toHaveText('Blue song');
	await expect(regions(page).nth(1)).toHaveText('Blue song');
});
