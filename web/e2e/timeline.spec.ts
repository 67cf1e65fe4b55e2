// The timeline: zoom (buttons, Ctrl+wheel, the overview strip), following the play head,
// loop handles and their keys, and the URL that carries time, loop and take (Share).
import { expect, test, type Page } from '@playwright/test';
import { REHEARSAL } from './global-setup';
import { playhead, shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

async function open(page: Page, band: string, title: string, query = '') {
	await page.goto(`/bands/${band}`);
	const href = await page
		.getByTestId('recording-row')
		.filter({ hasText: title })
		.getByRole('link', { name: title, exact: true })
		.getAttribute('href');
	await page.goto(href + query);
	await expect(page.getByTestId('recording-title')).toHaveText(title);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	return href!;
}

const NIGHT = REHEARSAL.file.replace(/\.wav$/, '');
const view = async (page: Page) => {
	const t = page.getByTestId('tracks');
	return { start: Number(await t.getAttribute('data-view-start')), span: Number(await t.getAttribute('data-view-span')) };
};
const loopText = (page: Page) => page.getByTestId('loop');
async function blur(page: Page) {
	await page.locator('body').click({ position: { x: 5, y: 5 } });
}

test('zooms from the whole recording down to 5 s across, and back', async ({ page }) => {
	await open(page, 'demo', 'Full set');
	const full = (await view(page)).span;
	expect(full).toBeGreaterThan(100);
	await expect(page.getByTestId('zoom-out')).toBeDisabled();
	await expect(page.getByTestId('zoom-fit')).toBeDisabled();

	// + halves the window (around the play head, here at 0).
	await page.getByTestId('zoom-in').click();
	await expect.poll(async () => (await view(page)).span).toBeCloseTo(full / 2, 1);
	const zoomIn = page.getByTestId('zoom-in');
	for (let i = 0; i < 12 && (await zoomIn.isEnabled()); i++) await zoomIn.click();
	expect(await view(page)).toEqual({ start: 0, span: 5 });
	await expect(page.getByTestId('zoom-span')).toHaveText('0:05.0 across');
	// The ruler counts seconds now.
	await expect(page.locator('.tick').first()).toHaveText('0:00');
	await expect(page.locator('.tick').nth(1)).toHaveText(/0:0[12]/);
	await shot(page, 'timeline-zoomed');

	// The waveform is drawn for the window: its first column differs from the whole view's.
	await page.getByTestId('zoom-fit').click();
	expect(await view(page)).toEqual({ start: 0, span: full });
	await expect(page.getByTestId('zoom-span')).toHaveText('Whole recording');

	// Ctrl + wheel zooms at the pointer: the time under it stays under it.
	const lane = (await page.getByTestId('waveform').first().boundingBox())!;
	const x = lane.x + lane.width * 0.6;
	await page.mouse.move(x, lane.y + lane.height / 2);
	await page.keyboard.down('Control');
	await page.mouse.wheel(0, -400);
	await page.keyboard.up('Control');
	await expect.poll(async () => (await view(page)).span).toBeLessThan(full * 0.6);
	const v = await view(page);
	expect(v.start + 0.6 * v.span).toBeCloseTo(0.6 * full, 0);

	// The + and − keys zoom too.
	await blur(page);
	await page.keyboard.press('-');
	await page.keyboard.press('-');
	await page.keyboard.press('-');
	await expect.poll(async () => (await view(page)).span).toBeCloseTo(full, 1);
	await page.keyboard.press('+');
	await expect.poll(async () => (await view(page)).span).toBeCloseTo(full / 2, 1);
});

test('the overview strip scrolls the zoomed timeline; the play head is followed', async ({ page }) => {
	await open(page, 'demo', 'Full set');
	const full = (await view(page)).span;
	for (let i = 0; i < 4; i++) await page.getByTestId('zoom-in').click();
	const span = full / 16;
	await expect.poll(async () => (await view(page)).span).toBeCloseTo(span, 1);
	expect((await view(page)).start).toBe(0);

	// Drag the window on the overview 100 px to the right.
	const strip = (await page.getByTestId('overview').boundingBox())!;
	const win = (await page.getByTestId('overview-window').boundingBox())!;
	await page.mouse.move(win.x + win.width / 2, win.y + win.height / 2);
	await page.mouse.down();
	await page.mouse.move(win.x + win.width / 2 + 50, win.y + win.height / 2, { steps: 3 });
	await page.mouse.move(win.x + win.width / 2 + 100, win.y + win.height / 2, { steps: 3 });
	await page.mouse.up();
	const moved = await view(page);
	expect(moved.start).toBeCloseTo((100 / strip.width) * full, 0);
	const win2 = (await page.getByTestId('overview-window').boundingBox())!;
	expect(win2.x - win.x).toBeGreaterThan(95);
	// The play head (at 0) is out of view, so not drawn.
	await expect(page.locator('.playhead')).toBeHidden();

	// Seeking out of the window brings the window to the play head.
	await blur(page);
	for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight'); // 60 s
	await expect.poll(() => playhead(page)).toBeCloseTo(60, 0);
	await expect.poll(async () => (await view(page)).start).toBeLessThan(60);
	let v = await view(page);
	expect(v.start + v.span).toBeGreaterThan(60);
	await expect(page.locator('.playhead')).toBeVisible();

	// Playing past the window's end turns the page.
	const end = v.start + v.span;
	for (let t = await playhead(page); t < end - 3; t += 5) await page.keyboard.press('ArrowRight');
	const before = (await view(page)).start;
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
	await expect.poll(async () => (await view(page)).start, { timeout: 20_000 }).toBeGreaterThan(before + 1);
	v = await view(page);
	const now = await playhead(page);
	expect(now).toBeGreaterThanOrEqual(v.start);
	expect(now).toBeLessThanOrEqual(v.start + v.span);

	// Unless the user scrolled away: the window then stays where it was put.
	await page.getByTestId('overview-window').focus();
	await page.keyboard.press('Home');
	await expect.poll(async () => (await view(page)).start).toBe(0);
	await page.waitForTimeout(1500);
	expect((await view(page)).start).toBe(0);
	await page.getByTestId('play').click();
});

test('loop handles drag; , and . nudge the loop edges by 0.1 s', async ({ page }) => {
	await open(page, REHEARSAL.band, NIGHT, '?loop=10-20');
	await expect(loopText(page)).toHaveText('0:10.0–0:20.0');
	await expect(loopText(page)).toHaveAttribute('aria-pressed', 'true');
	await expect.poll(() => playhead(page)).toBeCloseTo(10, 1);

	// Drag the end handle 10 s to the right (the lanes show the whole 86 s).
	const lane = (await page.getByTestId('waveform').first().boundingBox())!;
	const handle = (await page.getByTestId('loop-handle-end').boundingBox())!;
	const pxPerSec = lane.width / (await view(page)).span;
	const y = lane.y + lane.height / 2;
	await page.mouse.move(handle.x + handle.width / 2, y);
	await page.mouse.down();
	await page.mouse.move(handle.x + handle.width / 2 + 5 * pxPerSec, y, { steps: 4 });
	await page.mouse.move(handle.x + handle.width / 2 + 10 * pxPerSec, y, { steps: 4 });
	await page.mouse.up();
	await expect(loopText(page)).toHaveText(/0:10\.0–0:(29\.[89]|30\.[01])/);
	// Not a seek, not a new loop: the play head stayed.
	expect(await playhead(page)).toBeCloseTo(10, 1);

	// And the start handle, 5 s to the left.
	const start = (await page.getByTestId('loop-handle-start').boundingBox())!;
	await page.mouse.move(start.x + start.width / 2, y);
	await page.mouse.down();
	await page.mouse.move(start.x + start.width / 2 - 5 * pxPerSec, y, { steps: 4 });
	await page.mouse.up();
	await expect(loopText(page)).toHaveText(/0:0(4\.[89]|5\.[01])–/);

	// Keys: drop the drags' rounding first with a loop from the URL.
	await page.goto(page.url().replace(/\?.*$/, '?loop=10-20'));
	await expect(loopText(page)).toHaveText('0:10.0–0:20.0');
	await blur(page);
	await page.keyboard.press(',');
	await expect(loopText(page)).toHaveText('0:09.9–0:20.0');
	await page.keyboard.press('.');
	await page.keyboard.press('.');
	await expect(loopText(page)).toHaveText('0:10.1–0:20.0');
	await page.keyboard.press('Shift+Period');
	await expect(loopText(page)).toHaveText('0:10.1–0:20.1');
	await page.keyboard.press('Shift+Comma');
	await page.keyboard.press('Shift+Comma');
	await expect(loopText(page)).toHaveText('0:10.1–0:19.9');
	// The shortcut list has them.
	await page.keyboard.press('?');
	await expect(page.getByLabel('Keyboard shortcuts')).toContainText('Loop start 0.1 s earlier / later (Shift: loop end)');
	// The URL follows the loop.
	await expect.poll(() => new URL(page.url()).searchParams.get('loop')).toBe('10.1-19.9');
});

test('the URL opens the player at a time, a loop or a take, and follows it', async ({ page }) => {
	const href = await open(page, REHEARSAL.band, NIGHT, '?t=83.2');
	await expect.poll(() => playhead(page)).toBeCloseTo(83.2, 1);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready'); // paused
	await expect(loopText(page)).toHaveAttribute('aria-pressed', 'false');

	await page.goto(`${href}?t=60&loop=50-86`);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => playhead(page)).toBeCloseTo(60, 1);
	await expect(loopText(page)).toHaveText('0:50.0–1:26.0');

	await page.goto(`${href}?take=2`);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => playhead(page)).toBeCloseTo(50, 0);
	await expect(loopText(page)).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByTestId('take-row').nth(1).getByTestId('loop-take')).toHaveAttribute('aria-pressed', 'true');
	// At the take's start the URL is just the take.
	await page.waitForTimeout(600);
	expect(new URL(page.url()).search).toBe('?take=2');

	// A seek writes ?t (the take stays looped).
	await blur(page);
	await page.keyboard.press('ArrowRight');
	await expect.poll(() => new URL(page.url()).searchParams.get('t')).toMatch(/^5[45](\.\d)?$/);
	expect(new URL(page.url()).searchParams.get('take')).toBe('2');

	// Playing does not rewrite it every frame; pausing writes where it stopped.
	await page.keyboard.press('l'); // loop off: ?t only
	await expect.poll(() => new URL(page.url()).searchParams.get('take')).toBeNull();
	const before = page.url();
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
	await expect.poll(() => playhead(page)).toBeGreaterThan(56.5);
	expect(page.url()).toBe(before);
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', /ready|paused/);
	const stopped = await playhead(page);
	await expect.poll(() => Number(new URL(page.url()).searchParams.get('t'))).toBeCloseTo(stopped, 0);
});

test('Share copies the link of this place; without a clipboard it shows the link', async ({ page, context, browser }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	const href = await open(page, REHEARSAL.band, NIGHT, '?t=20&loop=12-30');
	await expect.poll(() => playhead(page)).toBeCloseTo(20, 1);
	await page.getByTestId('share').click();
	await expect(page.getByTestId('share')).toHaveText(/Link copied/);
	const copied = await page.evaluate(() => navigator.clipboard.readText());
	const u = new URL(copied);
	expect(u.pathname).toBe(href);
	expect(u.searchParams.get('t')).toBe('20');
	expect(u.searchParams.get('loop')).toBe('12-30');

	// The link opens another browser there.
	const other = await browser.newContext({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });
	const p2 = await other.newPage();
	await p2.goto(copied);
	await expect(p2.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => playhead(p2)).toBeCloseTo(20, 1);
	await expect(p2.getByTestId('loop')).toHaveText('0:12.0–0:30.0');
	await other.close();

	// No clipboard (an insecure page, an old browser): the link is shown, selected.
	await page.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
	await page.reload();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
	await page.getByTestId('share').click();
	const box = page.getByTestId('share-url');
	await expect(box).toBeVisible();
	await expect(box).toBeFocused();
	expect(new URL(await box.inputValue()).searchParams.get('loop')).toBe('12-30');
});

test('the loop handles leave the ruler labels readable, a loop from 0:00 too', async ({ page }) => {
	for (const width of [1440, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await open(page, REHEARSAL.band, NIGHT, '?loop=0-10');
		await expect(page.getByTestId('loop-handle-start')).toBeVisible();
		const overlaps = await page.evaluate(() => {
			type Box = { left: number; right: number; top: number; bottom: number };
			const hit = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
			// The labels' text, and the grips drawn by the handles (their ::before).
			const labels = [...document.querySelectorAll('[data-testid=ruler-tick]')].map((el) => {
				const r = document.createRange();
				r.selectNodeContents(el);
				return { text: el.textContent, box: r.getBoundingClientRect() };
			});
			const clip = document.querySelector('[data-testid=tracks] .overlay')!.getBoundingClientRect();
			const grips = [...document.querySelectorAll('[data-testid^=loop-handle-]')].map((el) => {
				const h = el.getBoundingClientRect();
				const g = getComputedStyle(el, '::before');
				const left = Math.max(clip.left, h.left + parseFloat(g.left));
				const right = Math.min(clip.right, h.left + parseFloat(g.left) + parseFloat(g.width));
				return { left, right, top: h.top + parseFloat(g.top), bottom: h.top + parseFloat(g.top) + parseFloat(g.height) };
			});
			return labels.flatMap((l) => grips.filter((g) => g.right > g.left && hit(l.box, g)).map(() => l.text));
		});
		expect(overlaps, `labels under a handle at ${width} px`).toEqual([]);
		await shot(page, `ruler-loop-from-0-${width}`);
	}
});
