// Editing takes on the recording page: dragging and nudging a take's edges on the takes
// row, splitting at the play head (menu and X), merging with the next take, deleting
// (with a confirmation), and the API's refusals. On the 'edits' band's own recording
// (global-setup.ts), in order: each test starts from what the one before left.
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { bandId, gql } from './api';
import { EDITS } from './global-setup';
import { playhead, shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

const title = EDITS.file.replace(/\.wav$/, '');
let href = '';

async function open(page: Page, query = '') {
	if (!href) {
		await page.goto(`/bands/${EDITS.band}`);
		href = (await page.getByTestId('recording-row').filter({ hasText: title }).getByRole('link', { name: title, exact: true }).getAttribute('href'))!;
	}
	await page.goto(href + query);
	await expect(page.getByTestId('recording-title')).toHaveText(title);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
}

const rows = (page: Page) => page.getByTestId('take-row');
const regions = (page: Page) => page.getByTestId('take-region');
const edge = (page: Page, take: number, which: 'start' | 'end') => page.getByTestId(`take-edge-${which}`).nth(take);
const num = async (l: Locator, attr: string) => Number(await l.getAttribute(attr));
const bounds = async (row: Locator) => ({ start: await num(row, 'data-start'), end: await num(row, 'data-end') });

/** Pixels per second on the takes row (its lane shows the timeline's visible window). */
async function scale(page: Page) {
	const lane = (await page.getByTestId('take-regions').locator('.lane').boundingBox())!;
	const span = await num(page.getByTestId('tracks'), 'data-view-span');
	const start = await num(page.getByTestId('tracks'), 'data-view-start');
	return { lane, pxPerS: lane.width / span, x: (t: number) => lane.x + ((t - start) / span) * lane.width };
}

async function grab(page: Page, handle: Locator) {
	await handle.hover();
	const b = (await handle.boundingBox())!;
	const at = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
	await page.mouse.move(at.x, at.y);
	await page.mouse.down();
	return at;
}

/** The beats (recording seconds) of the edits recording's take `i`, from the API. */
async function beatsOf(request: APIRequestContext, i: number): Promise<number[]> {
	const d = await gql<{ recordings: { nodes: { takes: { nodes: { beats: string | null }[] } }[] } }>(
		request,
		`query($p: String!, $t: String!) { recordings(filters: { profileId: { eq: $p }, title: { eq: $t } }) {
			nodes { takes(orderBy: { startSeconds: ASC }) { nodes { beats } } } } }`,
		{ p: await bandId(request, EDITS.band), t: title }
	);
	return JSON.parse(d.recordings.nodes[0].takes.nodes[i].beats ?? '[]');
}

async function menuItem(page: Page, take: number, testid: string) {
	await rows(page).nth(take).getByTestId('take-menu').click();
	return rows(page).nth(take).getByTestId(testid);
}

test('drags a take edge: shown live, saved on release, kept; Escape cancels', async ({ page }) => {
	await open(page);
	await expect(rows(page)).toHaveCount(2);
	const before = await bounds(rows(page).nth(0));
	expect(before.end).toBeCloseTo(36, 0);
	const { pxPerS } = await scale(page);

	// Four seconds to the left: the time shows while dragging, the list follows on release.
	const at = await grab(page, edge(page, 0, 'end'));
	await page.mouse.move(at.x - 2 * pxPerS, at.y, { steps: 4 });
	await page.mouse.move(at.x - 4 * pxPerS, at.y, { steps: 4 });
	const tip = page.getByTestId('take-edge-time');
	await expect(tip).toBeVisible();
	const shown = await num(tip, 'data-seconds');
	expect(shown).toBeCloseTo(before.end - 4, 0);
	await expect(tip).toHaveText(new RegExp(`^0:${Math.floor(shown)}\\.\\d$`));
	await shot(page, 'take-edge-drag');
	await page.mouse.up();
	await expect(tip).toHaveCount(0);
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(shown, 1);
	expect(Math.abs((await bounds(rows(page).nth(0))).end - (before.end - 4))).toBeLessThan(0.2);
	expect(await num(regions(page).nth(0), 'data-end')).toBeCloseTo(shown, 1);
	await expect(page.getByTestId('take-error')).toHaveCount(0);

	await page.reload();
	await expect(rows(page)).toHaveCount(2);
	expect(Math.abs((await bounds(rows(page).nth(0))).end - shown)).toBeLessThan(0.2);
	expect((await bounds(rows(page).nth(0))).start).toBeCloseTo(before.start, 2);

	// Escape during a drag puts the edge back; nothing is saved.
	const kept = await bounds(rows(page).nth(0));
	const at2 = await grab(page, edge(page, 0, 'end'));
	await page.mouse.move(at2.x - 6 * pxPerS, at2.y, { steps: 4 });
	await expect(page.getByTestId('take-edge-time')).toBeVisible();
	await page.keyboard.press('Escape');
	await page.mouse.up();
	await expect(page.getByTestId('take-edge-time')).toHaveCount(0);
	expect(await num(regions(page).nth(0), 'data-end')).toBeCloseTo(kept.end, 2);
	await page.reload();
	expect((await bounds(rows(page).nth(0))).end).toBeCloseTo(kept.end, 2);
});

test('nudges an edge with the keyboard; a looped take keeps its loop', async ({ page }) => {
	await open(page);
	const before = await bounds(rows(page).nth(0));
	// Loop the first take: the loop follows its new end.
	await rows(page).nth(0).getByTestId('loop-take').click();
	await expect(rows(page).nth(0).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	const t0 = await playhead(page);

	const handle = edge(page, 0, 'end');
	await handle.focus();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('Shift+ArrowLeft');
	const target = before.end + 0.3 - 1;
	await expect.poll(async () => num(page.getByTestId('take-edge-time'), 'data-seconds')).toBeCloseTo(target, 2);
	// The arrows moved the edge, not the play head.
	expect(await playhead(page)).toBeCloseTo(t0, 1);
	// Saved after a short pause.
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(target, 2);
	await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(target * 100) / 100));
	await expect(rows(page).nth(0).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByTestId('loop')).toHaveText(new RegExp(`–0:${String(Math.floor(target)).padStart(2, '0')}\\.`));

	// And on blur, at once.
	await handle.focus();
	await page.keyboard.press('Shift+ArrowRight');
	await page.getByTestId('take-jump').first().focus();
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(target + 1, 2);
	await page.reload();
	expect((await bounds(rows(page).nth(0))).end).toBeCloseTo(target + 1, 2);
});

test('a dragged edge stops at the neighbouring take', async ({ page }) => {
	await open(page);
	const second = await bounds(rows(page).nth(1));
	const { x } = await scale(page);
	const at = await grab(page, edge(page, 0, 'end'));
	// Well into the second take: the edge stops at its start.
	await page.mouse.move(x(second.start + 10), at.y, { steps: 6 });
	expect(await num(page.getByTestId('take-edge-time'), 'data-seconds')).toBeCloseTo(second.start, 1);
	await page.mouse.up();
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(second.start, 1);
	await expect(page.getByTestId('take-error')).toHaveCount(0);
	// And a start dragged left of the recording stops at 0.
	const s = await grab(page, edge(page, 1, 'start'));
	await page.mouse.move(x(0) - 40, s.y, { steps: 6 });
	expect(await num(page.getByTestId('take-edge-time'), 'data-seconds')).toBeCloseTo(await num(rows(page).nth(0), 'data-end'), 1);
	await page.keyboard.press('Escape');
	await page.mouse.up();
	expect((await bounds(rows(page).nth(1))).start).toBeCloseTo(second.start, 2);

	// Back to a gap before the second take, for the tests after.
	await edge(page, 0, 'end').focus();
	for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowLeft');
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(second.start - 10, 1);
});

test('a dragged edge snaps to a beat of the take when within a few pixels', async ({ page, request }) => {
	await open(page);
	const first = await bounds(rows(page).nth(0));
	const beats = await beatsOf(request, 0);
	const beat = beats.filter((b) => b < first.end - 1 && b > first.start + 2).pop()!;
	expect(beat).toBeDefined();
	// Zoomed in (about 10 s across) around a play head 1.5 s before that beat.
	await open(page, `?t=${(beat - 1.5).toFixed(2)}`);
	await expect.poll(() => playhead(page)).toBeCloseTo(beat - 1.5, 1);
	for (let i = 0; i < 8 && (await num(page.getByTestId('tracks'), 'data-view-span')) > 12; i++) await page.getByTestId('zoom-in').click();
	const { x, pxPerS } = await scale(page);
	expect(pxPerS).toBeGreaterThan(60);

	// Three pixels past the beat: the edge lands on it.
	const at = await grab(page, edge(page, 0, 'end'));
	await page.mouse.move(x(beat) + 3, at.y, { steps: 5 });
	const tip = page.getByTestId('take-edge-time');
	expect(await num(tip, 'data-seconds')).toBeCloseTo(beat, 2);
	// Between two beats it moves freely.
	const between = (beat + beats[beats.indexOf(beat) - 1]) / 2;
	await page.mouse.move(x(between), at.y, { steps: 3 });
	expect(Math.abs((await num(tip, 'data-seconds')) - between)).toBeLessThan(1.5 / pxPerS + 0.01);
	await page.mouse.move(x(beat) - 3, at.y, { steps: 3 });
	expect(await num(tip, 'data-seconds')).toBeCloseTo(beat, 2);
	await page.mouse.up();
	await expect.poll(async () => (await bounds(rows(page).nth(0))).end).toBeCloseTo(beat, 2);
	await expect(page.getByTestId('take-error')).toHaveCount(0);
});

test('splits a take at the play head (menu and X) and merges it back', async ({ page }) => {
	await open(page);
	const second = await bounds(rows(page).nth(1));
	const at = Math.round(second.start + 15);
	await open(page, `?t=${at}`);
	await expect.poll(() => playhead(page)).toBeCloseTo(at, 1);
	// Loop the second take: after the split the loop is the half the play head is in.
	await rows(page).nth(1).getByTestId('loop-take').click();
	await expect.poll(() => playhead(page)).toBeCloseTo(at, 1);

	// Not inside the first take: its split is disabled.
	const split0 = await menuItem(page, 0, 'take-split');
	await expect(split0).toBeDisabled();
	await expect(rows(page).nth(0).getByTestId('take-merge')).toBeEnabled();
	await page.keyboard.press('Escape');
	await expect(split0).toHaveCount(0);

	const split = await menuItem(page, 1, 'take-split');
	await expect(split).toBeFocused();
	await shot(page, 'take-menu');
	await split.click();
	await expect(rows(page)).toHaveCount(3);
	await expect(regions(page)).toHaveCount(3);
	await expect(page.getByTestId('take-jump')).toHaveText(['1', '2', '3']);
	const [b1, b2] = [await bounds(rows(page).nth(1)), await bounds(rows(page).nth(2))];
	expect(Math.abs(b1.start - second.start)).toBeLessThan(0.1);
	expect(Math.abs(b1.end - at)).toBeLessThan(0.1);
	expect(Math.abs(b2.start - at)).toBeLessThan(0.1);
	expect(Math.abs(b2.end - second.end)).toBeLessThan(0.1);
	await expect(rows(page).nth(2).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	// The last take has no next one.
	await expect(await menuItem(page, 2, 'take-merge')).toBeDisabled();
	await page.keyboard.press('Escape');

	// X splits the take at the play head too.
	const at2 = at + 10;
	await open(page, `?t=${at2}`);
	await expect.poll(() => playhead(page)).toBeCloseTo(at2, 1);
	await page.locator('body').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('x');
	await expect(rows(page)).toHaveCount(4);
	expect(Math.abs((await bounds(rows(page).nth(3))).start - at2)).toBeLessThan(0.1);

	// Merge 3 with 4, then 2 with 3: the second take spans what it did.
	await (await menuItem(page, 2, 'take-merge')).click();
	await expect(rows(page)).toHaveCount(3);
	await (await menuItem(page, 1, 'take-merge')).click();
	await expect(rows(page)).toHaveCount(2);
	await expect(page.getByTestId('take-jump')).toHaveText(['1', '2']);
	const merged = await bounds(rows(page).nth(1));
	expect(Math.abs(merged.start - second.start)).toBeLessThan(0.1);
	expect(Math.abs(merged.end - second.end)).toBeLessThan(0.1);
	await page.reload();
	await expect(rows(page)).toHaveCount(2);
	expect(Math.abs((await bounds(rows(page).nth(1))).end - second.end)).toBeLessThan(0.1);
});

test("shows the API's refusal: a split too close to the take's start", async ({ page }) => {
	await open(page);
	const second = await bounds(rows(page).nth(1));
	// Inside the take (so offered), but under 1 s from its start: the server says no.
	const at = Math.round((second.start + 0.5) * 100) / 100;
	await open(page, `?t=${at}`);
	await expect.poll(() => playhead(page)).toBeCloseTo(at, 1);
	await (await menuItem(page, 1, 'take-split')).click();
	await expect(page.getByTestId('take-error')).toContainText('Could not split the take');
	await expect(page.getByTestId('take-error')).toContainText('at least 1 s from either end');
	await expect(rows(page)).toHaveCount(2);
});

test('deletes a take after a confirmation (Cancel has the focus); its loop goes with it', async ({ page }) => {
	await open(page);
	await expect(rows(page)).toHaveCount(2);
	const last = await bounds(rows(page).nth(1));
	// The first take is the loop.
	await rows(page).nth(0).getByTestId('loop-take').click();
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await (await menuItem(page, 0, 'take-delete')).click();
	const dialog = page.getByRole('dialog', { name: 'Delete this take?' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByTestId('confirm-cancel')).toBeFocused();
	await page.keyboard.press('Enter'); // Enter on Cancel: nothing deleted
	await expect(dialog).toBeHidden();
	await expect(rows(page)).toHaveCount(2);

	await (await menuItem(page, 0, 'take-delete')).click();
	await dialog.getByTestId('confirm-ok').click();
	await expect(dialog).toBeHidden();
	await expect(rows(page)).toHaveCount(1);
	await expect(regions(page)).toHaveCount(1);
	await expect(page.getByTestId('take-jump')).toHaveText(['1']);
	expect((await bounds(rows(page).nth(0))).start).toBeCloseTo(last.start, 1);
	// No loop left over the take that is gone (nor in the address).
	await expect(page.getByTestId('loop')).toBeDisabled();
	await expect(page.getByRole('button', { name: 'Clear loop' })).toHaveCount(0);
	// The looped take was in the address as ?take=1; now neither it nor a loop is.
	await expect(page).not.toHaveURL(/[?&](loop|take)=/);
	await page.reload();
	await expect(rows(page)).toHaveCount(1);
	await expect(page.getByTestId('loop')).toBeDisabled();
});

test.describe('on a phone', () => {
	test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

	test('edge handles are big enough to touch; the menu fits', async ({ page }) => {
		await open(page);
		const handle = (await edge(page, 0, 'end').boundingBox())!;
		expect(handle.width).toBeGreaterThanOrEqual(28);
		expect(handle.height).toBeGreaterThanOrEqual(28);
		const dots = (await rows(page).nth(0).getByTestId('take-menu').boundingBox())!;
		expect(dots.x + dots.width).toBeLessThanOrEqual(390);
		await rows(page).nth(0).getByTestId('take-menu').tap();
		const menu = rows(page).nth(0).getByRole('menu');
		await expect(menu).toBeVisible();
		const m = (await menu.boundingBox())!;
		expect(m.x).toBeGreaterThanOrEqual(0);
		expect(m.x + m.width).toBeLessThanOrEqual(390);
		await shot(page, 'take-menu-phone');
	});
});
