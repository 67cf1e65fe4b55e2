import { expect, test, type Page, type Request } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expectSilence, expectSound, level, masterMeter, playhead, readWav, shot, stem, stemMeter } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

async function open(page: Page, title: string, query = '') {
	await page.goto('/bands/demo');
	const href = await page
		.getByTestId('recording-row')
		.filter({ hasText: title })
		.getByRole('link', { name: title, exact: true })
		.getAttribute('href');
	await page.goto(href + query);
	await expect(page.getByTestId('recording-title')).toHaveText(title);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
}

async function play(page: Page) {
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
}

test('plays every stem; mute and solo change what is heard', async ({ page }) => {
	await open(page, 'Tuesday rehearsal');
	await expect(page.getByTestId('stem')).toHaveCount(4);
	await play(page);
	await expect.poll(() => playhead(page)).toBeGreaterThan(0.5);
	await expectSound(masterMeter(page));
	for (const name of ['vocals', 'drums', 'bass', 'other']) await expectSound(stemMeter(page, name));
	await shot(page, 'player');

	// Solo the bass: only the bass is heard.
	await stem(page, 'bass').getByTestId('solo').click();
	await expect(stem(page, 'bass').getByTestId('solo')).toHaveAttribute('aria-pressed', 'true');
	for (const name of ['vocals', 'drums', 'other']) await expectSilence(stemMeter(page, name));
	await expectSound(stemMeter(page, 'bass'));
	await expectSound(masterMeter(page));
	await stem(page, 'bass').getByTestId('solo').click();
	await expectSound(stemMeter(page, 'vocals'));

	// Mute the drums.
	await stem(page, 'drums').getByTestId('mute').click();
	await expectSilence(stemMeter(page, 'drums'));
	await expectSound(stemMeter(page, 'vocals'));

	// Keyboard: the vocals' number key selects them, M mutes them, S solos them.
	const key = (await stem(page, 'vocals').locator('kbd').textContent())!.trim();
	await page.locator('body').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press(key);
	await expect(stem(page, 'vocals')).toHaveClass(/selected/);
	await page.keyboard.press('m');
	await expect(stem(page, 'vocals').getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
	await expectSilence(stemMeter(page, 'vocals'));
	await page.keyboard.press('m');
	await page.keyboard.press('s');
	await expect(stem(page, 'vocals').getByTestId('solo')).toHaveAttribute('aria-pressed', 'true');
	await expectSilence(stemMeter(page, 'bass'));
	await expectSound(stemMeter(page, 'vocals'));
	await page.keyboard.press('s');

	// Everything muted: silence on the master.
	for (const name of ['vocals', 'bass', 'other']) await stem(page, name).getByTestId('mute').click();
	await expectSilence(masterMeter(page));

	// Space pauses, and plays again — also with the focus on a button (no double toggle).
	await page.keyboard.press(' ');
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'paused');
	await stem(page, 'other').getByTestId('mute').focus();
	await page.keyboard.press(' ');
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
	await expect(stem(page, 'other').getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
	await page.getByTestId('play').focus();
	await page.keyboard.press(' ');
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'paused');
});

test('the master fader and loudness matching change the level', async ({ page }) => {
	await open(page, 'Tuesday rehearsal');
	// Loudness matching is on by default: the stems show their offsets.
	const lufs = page.getByTestId('lufs-match');
	await expect(lufs).toHaveAttribute('aria-checked', 'true');
	const loudness = stem(page, 'vocals').getByTestId('loudness');
	await expect(loudness).toContainText(/-\d+\.\d LUFS/);
	await expect(loudness).toContainText(/[+-]\d+\.\d LU\b/);
	await lufs.click();
	await expect(lufs).toHaveAttribute('aria-checked', 'false');
	await expect(loudness).not.toContainText(/ LU\b/);

	await play(page);
	await expectSound(masterMeter(page));
	const master = page.getByTestId('master-fader');
	await master.focus();
	await page.keyboard.press('Home');
	await expect(master).toHaveAttribute('data-db', '-60');
	await expect.poll(() => level(masterMeter(page))).toBeLessThan(-65);
	// The stem meters are before the master: still loud.
	await expectSound(stemMeter(page, 'drums'));
	await master.dblclick();
	await expect(master).toHaveAttribute('data-db', '0');
	await expectSound(masterMeter(page));
});

test('seeks by clicking a waveform and with the arrow keys', async ({ page }) => {
	await open(page, 'Tuesday rehearsal');
	const wave = page.getByTestId('waveform').first();
	const box = (await wave.boundingBox())!;
	await wave.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
	await expect.poll(() => playhead(page)).toBeCloseTo(48 * 0.75, 0);

	await play(page);
	await expect.poll(() => playhead(page)).toBeGreaterThan(36.5);
	await expectSound(masterMeter(page));

	// While playing, a click moves the play head and the sound goes on from there.
	await wave.click({ position: { x: box.width * 0.25, y: box.height / 2 } });
	await expect.poll(() => playhead(page)).toBeLessThan(14);
	await expect.poll(() => playhead(page)).toBeGreaterThan(12.2);
	await expectSound(masterMeter(page));

	await page.locator('body').click({ position: { x: 5, y: 5 } });
	const before = await playhead(page);
	await page.keyboard.press('ArrowLeft');
	await expect.poll(() => playhead(page)).toBeLessThan(before - 3);
	await expectSound(masterMeter(page));
});

test('loops a region dragged across a waveform', async ({ page }) => {
	await open(page, 'Tuesday rehearsal');
	const wave = page.getByTestId('waveform').nth(1);
	const box = (await wave.boundingBox())!;
	const y = box.y + box.height / 2;
	await page.mouse.move(box.x + box.width * 0.5, y);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
	await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
	await page.mouse.up();
	await expect(page.getByTestId('loop-region')).toBeVisible();
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	// The loop is 24.0 s – 28.8 s; start inside it.
	await wave.click({ position: { x: box.width * 0.52, y: box.height / 2 } });
	await play(page);

	// The play head passes the loop end and comes back to its start.
	let furthest = 0;
	await expect
		.poll(async () => {
			const t = await playhead(page);
			expect(t).toBeGreaterThanOrEqual(23.9);
			expect(t).toBeLessThanOrEqual(28.9);
			const wrapped = furthest > 27.5 && t < furthest - 2;
			furthest = Math.max(furthest, t);
			return wrapped;
		}, { timeout: 30_000 })
		.toBe(true);
	await expectSound(masterMeter(page));

	// L turns the loop off.
	await page.locator('body').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('l');
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'false');
	await expect.poll(() => playhead(page), { timeout: 30_000 }).toBeGreaterThan(29.5);
});

test('streams a long recording in byte ranges and seeks far into it', async ({ page }) => {
	const media: Request[] = [];
	page.on('request', (r) => {
		if (/\/media\/stems\/[^/]+$/.test(new URL(r.url()).pathname)) media.push(r);
	});
	await open(page, 'Full set');
	await expect(page.getByTestId('stem')).toHaveCount(4);
	await play(page);
	await expectSound(masterMeter(page));
	console.log(`Full set: ${(await page.getByTestId('engine').textContent())?.trim()}`);

	// Every stem request is a Range request, and far less than the files was read.
	expect(media.length).toBeGreaterThanOrEqual(4);
	let fetched = 0;
	let total = 0;
	for (const r of media) {
		expect(r.headers()['range'], r.url()).toMatch(/^bytes=\d+-\d+$/);
		const res = await r.response();
		expect(res?.status()).toBe(206);
		const m = /\/(\d+)$/.exec(res!.headers()['content-range'] ?? '');
		total = Math.max(total, Number(m?.[1] ?? 0));
		fetched += (await res!.body()).length;
	}
	expect(total).toBeGreaterThan(0);
	expect(fetched).toBeLessThan(total * 4 * 0.25);

	// Seek near the end: it plays from there, reading only around the target.
	const count = media.length;
	await page.getByTestId('scrubber').fill(String(280));
	await expect.poll(() => playhead(page)).toBeGreaterThan(280);
	await expectSound(masterMeter(page));
	const after = media.slice(count);
	expect(after.length).toBeGreaterThan(0);
	for (const r of after) expect(r.headers()['range']).toMatch(/^bytes=\d+-\d+$/);
});

test('saves a stem gain and loads it again', async ({ page }) => {
	await open(page, 'Soundcheck');
	const fader = stem(page, 'vocals').getByTestId('fader');
	await fader.focus();
	for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
	await expect(fader).toHaveAttribute('data-db', '3');
	await expect(fader).toHaveAttribute('aria-valuetext', '+3.0 dB');
	await page.getByTestId('save-mix').click();
	await expect(page.getByTestId('save-mix')).toHaveText('Mix saved');
	await page.reload();
	await expect(stem(page, 'vocals').getByTestId('fader')).toHaveAttribute('data-db', '3');
	await expect(stem(page, 'drums').getByTestId('fader')).toHaveAttribute('data-db', '0');
	// Double-click resets to 0 dB; save again.
	await stem(page, 'vocals').getByTestId('fader').dblclick();
	await expect(stem(page, 'vocals').getByTestId('fader')).toHaveAttribute('data-db', '0');
	await page.getByTestId('save-mix').click();
	await expect(page.getByTestId('save-mix')).toHaveText('Mix saved');
});

test('downloads a stem and a mixdown rendered in the browser', async ({ page }) => {
	await open(page, 'Soundcheck');
	// Mute the drums: the mixdown follows the faders.
	await stem(page, 'drums').getByTestId('mute').click();
	await page.getByTestId('export').click();
	const vocals = page.getByRole('menuitem', { name: /vocals/i });
	const href = await vocals.getAttribute('href');
	expect(await vocals.getAttribute('download')).toBe('Soundcheck - vocals.opus');
	const res = await page.request.get(href!);
	expect(res.status()).toBe(200);
	expect((await res.body()).subarray(0, 4).toString('latin1')).toBe('OggS');

	const download = page.waitForEvent('download');
	await page.getByTestId('export-mix').click();
	const file = await download;
	expect(file.suggestedFilename()).toBe('Soundcheck - mix.wav');
	const path = await file.path();
	const bytes = (await import('node:fs')).readFileSync(path);
	expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
	const channels = bytes.readUInt16LE(22);
	const rate = bytes.readUInt32LE(24);
	const dataBytes = bytes.readUInt32LE(40);
	expect(channels).toBe(2);
	expect(rate).toBe(48000);
	const seconds = dataBytes / 4 / rate;
	expect(seconds).toBeGreaterThan(8.9);
	expect(seconds).toBeLessThan(9.1);
	// Not silence.
	let sum = 0;
	for (let i = 44; i < bytes.length - 1; i += 2) sum += Math.abs(bytes.readInt16LE(i));
	expect(sum / ((bytes.length - 44) / 2)).toBeGreaterThan(100);
});

test('the meters read silence before playing', async ({ page }) => {
	await open(page, 'Soundcheck');
	expect(await level(masterMeter(page))).toBe(-Infinity);
});

/**
 * The loop render seeks every stem into the middle of its file (Range reads, Ogg seeking,
 * decoder pre-roll); the full render reads them from the start. The two only line up if
 * every stem lands on exactly the right sample.
 */
async function loopMatchesFullMix(page: Page) {
	const wave = page.getByTestId('waveform').first();
	const box = (await wave.boundingBox())!;
	const y = box.y + box.height / 2;
	await page.mouse.move(box.x + box.width * 0.4, y);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * 0.45, y, { steps: 4 });
	await page.mouse.up();
	await expect(page.getByTestId('loop-region')).toBeVisible();

	const render = async (item: RegExp) => {
		await page.getByTestId('export').click();
		const download = page.waitForEvent('download');
		await page.getByRole('menuitem', { name: item }).click();
		return readWav(readFileSync(await (await download).path()));
	};
	const full = await render(/^Mixdown/);
	const loop = await render(/^Loop region mixdown/);
	expect(loop.rate).toBe(full.rate);
	const frames = loop.samples.length / 2;
	expect(frames).toBeGreaterThan(full.rate * 2);

	// Where in the full mix does the loop start? Search ±0.3 s around the drag point.
	const guess = Math.round(0.4 * (full.samples.length / 2));
	const window = 4096;
	const err = (lag: number, n = window) => {
		let e = 0;
		for (let i = 0; i < n * 2; i++) {
			const d = loop.samples[i] - full.samples[lag * 2 + i];
			e += d * d;
		}
		return e / (n * 2);
	};
	let best = -1;
	let bestErr = Infinity;
	for (let lag = guess - 0.3 * full.rate; lag <= guess + 0.3 * full.rate; lag++) {
		const e = err(lag);
		if (e < bestErr) [best, bestErr] = [lag, e];
	}
	// Over the whole loop: the same samples (up to 16-bit rounding and decoder pre-roll
	// convergence), and one sample off is far worse.
	const rms = Math.sqrt(err(best, frames));
	const signal = Math.sqrt(loop.samples.reduce((a, x) => a + x * x, 0) / loop.samples.length);
	console.log(`loop vs full mix: rms difference ${rms.toFixed(2)} of signal ${signal.toFixed(0)} at frame ${best}; one frame off: ${Math.sqrt(err(best + 1, frames)).toFixed(0)}`);
	expect(signal).toBeGreaterThan(300);
	expect(rms).toBeLessThan(signal * 0.01);
	expect(Math.sqrt(err(best + 1, frames))).toBeGreaterThan(rms * 5);
}

test('a loop rendered on its own matches the full mixdown sample for sample', async ({ page }) => {
	await open(page, 'Tuesday rehearsal');
	await expect(page.getByTestId('engine')).toHaveAttribute('data-source', 'opus · WebCodecs');
	await loopMatchesFullMix(page);
});

test('without WebCodecs: streams with decodeAudioData chunks, in sync', async ({ page }) => {
	await open(page, 'Tuesday rehearsal', '?decoder=chunks');
	await expect(page.getByTestId('engine')).toHaveAttribute('data-source', 'opus · decodeAudioData chunks');
	await play(page);
	for (const name of ['vocals', 'drums', 'bass', 'other']) await expectSound(stemMeter(page, name));
	await page.getByTestId('scrubber').fill('30');
	await expect.poll(() => playhead(page)).toBeGreaterThan(30);
	await expectSound(masterMeter(page));
	await page.getByTestId('play').click();
	await loopMatchesFullMix(page);
});
