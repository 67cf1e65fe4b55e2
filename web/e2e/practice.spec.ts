// Practice features on the recording page: tempo without pitch change, transposition
// without tempo change, and the click (with count-in) on the takes' beat grid. Timing is
// measured on the AudioContext clock, pitch with an FFT of what the master plays,
// through the player's read-only test hook (window.__stemsetPlayer).
import { expect, test, type Page } from '@playwright/test';
import { REHEARSAL, TONE } from './global-setup';
import { playhead } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

interface Hook {
	contextTime(): number;
	position(): number;
	latency(): number;
	clicks(): { at: number; accent: boolean; countIn: boolean; heard: boolean }[];
	dominantHz(): number;
}
declare global {
	interface Window {
		__stemsetPlayer?: Hook;
	}
}

async function open(page: Page, band: string, file: string) {
	const title = file.replace(/\.wav$/, '');
	await page.goto(`/bands/${band}`);
	const href = await page
		.getByTestId('recording-row')
		.filter({ hasText: title })
		.getByRole('link', { name: title, exact: true })
		.getAttribute('href');
	await page.goto(href!);
	await expect(page.getByTestId('recording-title')).toHaveText(title);
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'ready');
}

async function play(page: Page) {
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'playing');
}

async function blur(page: Page) {
	await page.locator('body').click({ position: { x: 5, y: 5 } });
}

/** (context time, play head) pairs every few ms for `seconds`. */
function sample(page: Page, seconds: number) {
	return page.evaluate(
		(ms) =>
			new Promise<[number, number][]>((done) => {
				const h = window.__stemsetPlayer!;
				const out: [number, number][] = [];
				const id = setInterval(() => out.push([h.contextTime(), h.position()]), 4);
				setTimeout(() => (clearInterval(id), done(out)), ms);
			}),
		seconds * 1000
	);
}

/** Least-squares line through points: [slope, intercept]. */
function fit(pts: [number, number][]): [number, number] {
	const n = pts.length;
	const mx = pts.reduce((a, p) => a + p[0], 0) / n;
	const my = pts.reduce((a, p) => a + p[1], 0) / n;
	let sxy = 0;
	let sxx = 0;
	for (const [x, y] of pts) [sxy, sxx] = [sxy + (x - mx) * (y - my), sxx + (x - mx) ** 2];
	const slope = sxy / sxx;
	return [slope, my - slope * mx];
}

/** The samples cut into passes of a loop (the play head jumps back at each wrap). */
function passes(pts: [number, number][]): [number, number][][] {
	const out: [number, number][][] = [[]];
	for (let i = 0; i < pts.length; i++) {
		if (i > 0 && pts[i][1] < pts[i - 1][1] - 0.5) out.push([]);
		out[out.length - 1].push(pts[i]);
	}
	return out;
}

const longest = (ps: [number, number][][]) => ps.reduce((a, b) => (b.length > a.length ? b : a));

/** The median of a few readings of the dominant frequency (Hz). */
async function pitch(page: Page): Promise<number> {
	const xs: number[] = [];
	for (let i = 0; i < 5; i++) {
		xs.push(await page.evaluate(() => window.__stemsetPlayer!.dominantHz()));
		await page.waitForTimeout(150);
	}
	return xs.sort((a, b) => a - b)[2];
}

const cents = (hz: number, ref: number) => 1200 * Math.log2(hz / ref);

test('at 75 % a loop of N seconds lasts N / 0.75 on the audio clock', async ({ page }) => {
	await open(page, REHEARSAL.band, REHEARSAL.file);
	// A 2 s loop, 10–12 s, set with I and O at the play head.
	await page.getByTestId('scrubber').fill('10');
	await expect.poll(() => playhead(page)).toBeCloseTo(10, 1);
	await blur(page);
	await page.keyboard.press('i');
	await page.getByTestId('scrubber').fill('12');
	await expect.poll(() => playhead(page)).toBeCloseTo(12, 1);
	await blur(page);
	await page.keyboard.press('o');
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await page.getByTestId('scrubber').fill('10');
	await page.getByTestId('speed-75').click();
	await expect(page.getByTestId('speed-pct')).toHaveValue('75');
	await play(page);
	await page.waitForTimeout(500);

	const whole = passes(await sample(page, 9)).slice(1, -1);
	expect(whole.length).toBeGreaterThanOrEqual(2);
	// Each pass: the play head's speed, and when (context time) it was at the loop start.
	const lines = whole.map(fit);
	const starts = lines.map(([slope, icpt]) => (10 - icpt) / slope);
	const periods = starts.slice(1).map((t, i) => t - starts[i]);
	const latency = await page.evaluate(() => window.__stemsetPlayer!.latency());
	console.log(
		`tempo: play head speed ${lines.map(([m]) => m.toFixed(5)).join(', ')}; loop period ${periods.map((p) => p.toFixed(4)).join(', ')} s (expected ${(2 / 0.75).toFixed(4)}); stretch latency ${(latency * 1000).toFixed(1)} ms`
	);
	for (const [slope] of lines) expect(Math.abs(slope - 0.75)).toBeLessThan(0.005);
	for (const p of periods) expect(Math.abs(p - 2 / 0.75)).toBeLessThan(0.02);
	expect(latency).toBeGreaterThan(0);
	expect(latency).toBeLessThan(0.5);

	// Back to 100 %: bypassed, the loop lasts 2 s again.
	await blur(page);
	await page.keyboard.press('r');
	await expect(page.getByTestId('speed-pct')).toHaveValue('100');
	await page.waitForTimeout(400);
	expect(await page.evaluate(() => window.__stemsetPlayer!.latency())).toBe(0);
	const [slope] = fit(longest(passes(await sample(page, 1.5))));
	expect(Math.abs(slope - 1)).toBeLessThan(0.01);
});

test('a tone keeps its pitch at 75 % and moves 3 semitones with pitch +3', async ({ page }) => {
	await open(page, TONE.band, TONE.file);
	// Loop the tone's middle so it never ends while we listen.
	await page.getByTestId('scrubber').fill('2');
	await blur(page);
	await page.keyboard.press('i');
	await page.getByTestId('scrubber').fill('10');
	await blur(page);
	await page.keyboard.press('o');
	await page.getByTestId('scrubber').fill('2');
	await play(page);
	await page.waitForTimeout(1200);
	const plain = await pitch(page);

	await page.getByTestId('speed-75').click();
	await page.waitForTimeout(1500);
	const slow = await pitch(page);

	await page.getByTestId('practice-reset').click();
	await page.getByTestId('pitch-up').click();
	await page.getByTestId('pitch-up').click();
	await page.getByTestId('pitch-up').click();
	await expect(page.getByTestId('pitch')).toHaveAttribute('data-semitones', '3');
	await page.waitForTimeout(1500);
	const up = await pitch(page);
	// Pitch +3 keeps the tempo: the play head still moves at 1 s per second.
	const [slope] = fit(longest(passes(await sample(page, 1.5))));

	const third = TONE.hz * 2 ** (3 / 12);
	console.log(
		`pitch: ${plain.toFixed(2)} Hz at 100 % (${cents(plain, TONE.hz).toFixed(1)} ct), ${slow.toFixed(2)} Hz at 75 % (${cents(slow, TONE.hz).toFixed(1)} ct), ${up.toFixed(2)} Hz at +3 st (${cents(up, third).toFixed(1)} ct from ${third.toFixed(2)}); tempo at +3 st ${slope.toFixed(4)}`
	);
	expect(Math.abs(cents(plain, TONE.hz))).toBeLessThan(5);
	expect(Math.abs(cents(slow, TONE.hz))).toBeLessThan(10);
	expect(Math.abs(cents(up, third))).toBeLessThan(10);
	expect(Math.abs(slope - 1)).toBeLessThan(0.01);
});

test('paused with the stretch on, the audio stops running (the worklet idles); play resumes at pitch', async ({ page }) => {
	await open(page, TONE.band, TONE.file);
	await page.getByTestId('scrubber').fill('2');
	await page.getByTestId('speed-75').click();
	await expect(page.getByTestId('speed-pct')).toHaveValue('75');
	await play(page);
	await page.waitForTimeout(1000);
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'paused');
	const paused = await playhead(page);
	// Once the stretch's tail has played out, no render quantum runs (so no process()
	// call of the worklet): the context clock stands still.
	const clock = () => page.evaluate(() => window.__stemsetPlayer!.contextTime());
	await page.waitForTimeout(600);
	const c0 = await clock();
	await page.waitForTimeout(400);
	expect(await clock()).toBe(c0);

	// Play again: from where it paused, moving at 0.75, the tone at its pitch.
	await play(page);
	const early = await sample(page, 0.6);
	expect(early[0][1]).toBeCloseTo(paused, 1);
	const [slope] = fit(early.filter(([, pos]) => pos > paused + 0.01));
	expect(Math.abs(slope - 0.75)).toBeLessThan(0.02);
	const hz = await pitch(page);
	console.log(`paused with stretch: clock still; resumed at ${paused.toFixed(2)} s, speed ${slope.toFixed(4)}, ${hz.toFixed(2)} Hz`);
	expect(Math.abs(cents(hz, TONE.hz))).toBeLessThan(10);
	await page.getByTestId('play').click();
});

test('the click follows the beat grid at the practice speed; count-in before playing', async ({ page }) => {
	await open(page, REHEARSAL.band, REHEARSAL.file);
	const click = page.getByTestId('click');
	await expect(click).toBeEnabled();
	await click.click();
	await expect(click).toHaveAttribute('aria-pressed', 'true');
	await page.getByTestId('speed-75').click();
	await page.getByTestId('scrubber').fill('4');
	await play(page);
	await page.waitForTimeout(6500);
	const h = await page.evaluate(() => ({ now: window.__stemsetPlayer!.contextTime(), clicks: window.__stemsetPlayer!.clicks() }));
	const beats = h.clicks.filter((c) => c.heard && !c.countIn);
	expect(beats.length).toBeGreaterThan(6);
	const span = beats[beats.length - 1].at - beats[0].at;
	const perSecond = (beats.length - 1) / span;
	const gaps = beats.slice(1).map((c, i) => c.at - beats[i].at);
	const expected = (112 / 60) * 0.75;
	console.log(
		`click: ${beats.length} clicks in ${span.toFixed(3)} s = ${perSecond.toFixed(4)}/s (112 BPM × 0.75 = ${expected.toFixed(4)}/s); gaps ${Math.min(...gaps).toFixed(4)}–${Math.max(...gaps).toFixed(4)} s; accents ${beats.map((c) => (c.accent ? 'A' : '.')).join('')}`
	);
	expect(Math.abs(perSecond / expected - 1)).toBeLessThan(0.03);
	for (const g of gaps) expect(Math.abs(g - 60 / 112 / 0.75)).toBeLessThan(0.08);
	// Downbeats are accented: about one in four.
	const accents = beats.filter((c) => c.accent).length;
	expect(accents).toBeGreaterThanOrEqual(Math.floor(beats.length / 4) - 1);
	expect(accents).toBeLessThanOrEqual(Math.ceil(beats.length / 4) + 1);

	// Count-in: pause, turn it on, play: a bar of clicks, then the audio (the play head
	// waits at the start until the bar is over).
	await page.getByTestId('play').click();
	await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'paused');
	await page.getByTestId('count-in').click();
	await expect(page.getByTestId('count-in')).toHaveAttribute('aria-pressed', 'true');
	const before = await page.evaluate(() => window.__stemsetPlayer!.contextTime());
	const at = await playhead(page);
	await play(page);
	const early = await sample(page, 1);
	await page.waitForTimeout(3000);
	const counted = (await page.evaluate(() => window.__stemsetPlayer!.clicks())).filter((c) => c.countIn && c.at > before);
	console.log(`count-in: ${counted.map((c) => (c.at - before).toFixed(3)).join(', ')} s after play`);
	expect(counted).toHaveLength(4);
	expect(counted[0].accent).toBe(true);
	for (let i = 1; i < 4; i++) expect(counted[i].at - counted[i - 1].at).toBeCloseTo(60 / 112 / 0.75, 1);
	// During the first second (inside the count-in) the play head has not moved.
	for (const [, pos] of early) expect(pos).toBeCloseTo(at, 1);
	expect(await playhead(page)).toBeGreaterThan(at + 0.5);
});

/** Frequency of a steady tone from its rising zero crossings (interpolated) in [a, b) s. */
function zeroCrossingHz(x: Int16Array, channels: number, rate: number, a: number, b: number): number {
	const times: number[] = [];
	for (let i = Math.round(a * rate) + 1; i < Math.round(b * rate); i++) {
		const p = x[(i - 1) * channels];
		const q = x[i * channels];
		if (p < 0 && q >= 0) times.push(i - 1 + -p / (q - p));
	}
	return ((times.length - 1) * rate) / (times[times.length - 1] - times[0]);
}

test('downloads the mixdown as heard: longer at 75 %, at the same pitch', async ({ page }) => {
	await open(page, TONE.band, TONE.file);
	await page.getByTestId('export').click();
	// At 100 % there is nothing to render differently: no "as heard" item.
	await expect(page.getByTestId('export-heard')).toHaveCount(0);
	await page.getByTestId('export').click();
	await page.getByTestId('speed-75').click();
	await page.getByTestId('export').click();
	const download = page.waitForEvent('download');
	await page.getByTestId('export-heard').click();
	const file = await download;
	expect(file.suggestedFilename()).toBe(`${TONE.file.replace(/\.wav$/, '')} (75%) - mix.wav`);
	const { readWav } = await import('./helpers');
	const wav = readWav((await import('node:fs')).readFileSync(await file.path()));
	const seconds = wav.samples.length / wav.channels / wav.rate;
	const hz = zeroCrossingHz(wav.samples, wav.channels, wav.rate, 2, seconds - 2);
	console.log(`as heard: ${seconds.toFixed(3)} s (expected ${(TONE.seconds / 0.75).toFixed(3)}), ${hz.toFixed(2)} Hz (${cents(hz, TONE.hz).toFixed(1)} ct)`);
	expect(Math.abs(seconds - TONE.seconds / 0.75)).toBeLessThan(0.05);
	expect(Math.abs(cents(hz, TONE.hz))).toBeLessThan(10);
	// As loud from the first half second as in the middle: the stretch's latency is cut
	// off, not left as silence at the start.
	const level = (a: number, b: number) => {
		let sum = 0;
		for (let i = Math.round(a * wav.rate) * wav.channels; i < Math.round(b * wav.rate) * wav.channels; i++) sum += Math.abs(wav.samples[i]);
		return sum / ((b - a) * wav.rate * wav.channels);
	};
	console.log(`as heard: level 0.2–1 s ${level(0.2, 1).toFixed(0)}, 7–8 s ${level(7, 8).toFixed(0)}, last second ${level(seconds - 1, seconds - 0.2).toFixed(0)}`);
	expect(level(7, 8)).toBeGreaterThan(100);
	expect(level(0.2, 1)).toBeGreaterThan(level(7, 8) * 0.7);
});

test('the practice controls fit a phone and a desktop', async ({ page }) => {
	const { shot } = await import('./helpers');
	for (const width of [390, 1440]) {
		await page.setViewportSize({ width, height: 900 });
		await open(page, REHEARSAL.band, REHEARSAL.file);
		const bar = page.getByTestId('practice');
		await expect(bar).toBeVisible();
		const box = (await bar.boundingBox())!;
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.x + box.width).toBeLessThanOrEqual(width + 1);
		for (const c of await bar.locator('button, input, select').all()) {
			const b = (await c.boundingBox())!;
			expect(b.x + b.width, await c.evaluate((e) => e.outerHTML.slice(0, 80))).toBeLessThanOrEqual(box.x + box.width + 1);
		}
		// The shortcuts list shows the practice keys.
		await blur(page);
		await page.keyboard.press('?');
		await expect(page.getByLabel('Keyboard shortcuts')).toContainText('Speed −5 % / +5 %');
		await shot(page, `practice-${width}`);
	}
});

/** Sets a loop [a, b] s with I and O at the play head, and leaves the play head at a. */
async function loopAt(page: Page, a: number, b: number) {
	await page.getByTestId('scrubber').fill(String(a));
	await expect.poll(() => playhead(page)).toBeCloseTo(a, 1);
	await blur(page);
	await page.keyboard.press('i');
	await page.getByTestId('scrubber').fill(String(b));
	await expect.poll(() => playhead(page)).toBeCloseTo(b, 1);
	await blur(page);
	await page.keyboard.press('o');
	await expect(page.getByTestId('loop')).toHaveAttribute('aria-pressed', 'true');
	await page.getByTestId('scrubber').fill(String(a));
	await expect.poll(() => playhead(page)).toBeCloseTo(a, 1);
}

test('pitch +2 at speed 1: the tone rises by 2^(2/12) and a loop of N s still takes N s', async ({ page }) => {
	await open(page, TONE.band, TONE.file);
	await loopAt(page, 2, 4);
	await page.getByTestId('pitch-up').click();
	await page.getByTestId('pitch-up').click();
	await expect(page.getByTestId('pitch')).toHaveAttribute('data-semitones', '2');
	await expect(page.getByTestId('speed-pct')).toHaveValue('100');
	await play(page);
	await page.waitForTimeout(1500);
	const up = await pitch(page);
	const whole = passes(await sample(page, 7.5)).slice(1, -1);
	expect(whole.length).toBeGreaterThanOrEqual(2);
	const lines = whole.map(fit);
	const starts = lines.map(([slope, icpt]) => (2 - icpt) / slope);
	const periods = starts.slice(1).map((t, i) => t - starts[i]);
	const ratio = up / TONE.hz;
	console.log(
		`pitch +2: ${up.toFixed(2)} Hz, ratio ${ratio.toFixed(5)} (2^(2/12) = ${(2 ** (2 / 12)).toFixed(5)}, ${cents(up, TONE.hz * 2 ** (2 / 12)).toFixed(1)} ct off); play head speed ${lines.map(([m]) => m.toFixed(5)).join(', ')}; loop period ${periods.map((p) => p.toFixed(4)).join(', ')} s (expected 2)`
	);
	expect(Math.abs(ratio / 2 ** (2 / 12) - 1)).toBeLessThan(0.01);
	for (const [slope] of lines) expect(Math.abs(slope - 1)).toBeLessThan(0.005);
	for (const p of periods) expect(Math.abs(p - 2)).toBeLessThan(0.02);
});

test('the click lands on the take’s beats within 10 ms at speed 1 and 0.75', async ({ page, request }) => {
	const { gql, bandId } = await import('./api');
	const title = REHEARSAL.file.replace(/\.wav$/, '');
	const d = await gql<{ recordings: { nodes: { takes: { nodes: { beats: string }[] } }[] } }>(
		request,
		`query($p: String!, $t: String!) { recordings(filters: { profileId: { eq: $p }, title: { eq: $t } }) {
			nodes { takes(orderBy: { startSeconds: ASC }) { nodes { beats } } } } }`,
		{ p: await bandId(request, REHEARSAL.band), t: title }
	);
	const beats = d.recordings.nodes[0].takes.nodes.flatMap((t) => JSON.parse(t.beats) as number[]);
	expect(beats.length).toBeGreaterThan(20);
	await open(page, REHEARSAL.band, REHEARSAL.file);
	await page.getByTestId('click').click();
	await expect(page.getByTestId('click')).toHaveAttribute('aria-pressed', 'true');
	for (const speed of [1, 0.75]) {
		if (speed !== 1) await page.getByTestId('speed-75').click();
		await page.getByTestId('scrubber').fill('4');
		await expect.poll(() => playhead(page)).toBeCloseTo(4, 1);
		const since = await page.evaluate(() => window.__stemsetPlayer!.contextTime());
		await play(page);
		await page.waitForTimeout(600);
		// The context clock ↔ recording time mapping of what is heard, from the play head.
		const [slope, icpt] = fit(await sample(page, 4));
		const clicks = (await page.evaluate(() => window.__stemsetPlayer!.clicks())).filter((c) => c.heard && !c.countIn && c.at > since);
		const now = await page.evaluate(() => window.__stemsetPlayer!.contextTime());
		await page.getByTestId('play').click();
		await expect(page.getByTestId('play')).toHaveAttribute('data-state', 'paused');
		// The clicks already heard (past ones, inside the sampled stretch).
		const heard = clicks.filter((c) => c.at < now);
		expect(heard.length).toBeGreaterThan(4);
		const offs = heard.map((c) => {
			const t = slope * c.at + icpt;
			const nearest = beats.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a));
			return t - nearest;
		});
		console.log(
			`click at ${speed}: play head speed ${slope.toFixed(5)}; ${heard.length} clicks, offsets from the beats ${offs.map((o) => (o * 1000).toFixed(2)).join(', ')} ms`
		);
		expect(Math.abs(slope - speed)).toBeLessThan(0.005);
		for (const o of offs) expect(Math.abs(o)).toBeLessThan(0.01);
	}
});

/** 16-bit stereo samples of a WAV download as floats (channel 0 and 1 interleaved). */
async function downloadWav(page: Page, testid: string) {
	await page.getByTestId('export').click();
	const download = page.waitForEvent('download');
	await page.getByTestId(testid).click();
	const file = await download;
	const { readWav } = await import('./helpers');
	return readWav((await import('node:fs')).readFileSync(await file.path()));
}

test('stems stay aligned under stretch: the loop as heard is the full mixdown as heard over it', async ({ page }) => {
	test.setTimeout(180_000);
	await open(page, 'demo', 'Soundcheck.wav');
	await page.getByTestId('speed-75').click();
	await expect(page.getByTestId('speed-pct')).toHaveValue('75');
	const full = await downloadWav(page, 'export-heard');
	const a = 3;
	const b = 6;
	await loopAt(page, a, b);
	const loop = await downloadWav(page, 'export-heard');
	const rate = full.rate;
	const ch = full.channels;
	const n = loop.samples.length / ch;
	expect(Math.abs(n - ((b - a) * rate) / 0.75)).toBeLessThanOrEqual(rate * 0.01);
	// Where the loop starts in the full render (the loop as the page set it: in the URL).
	await expect(page).toHaveURL(/loop=/);
	const [la] = new URL(page.url()).searchParams.get('loop')!.split('-').map(Number);
	const off = Math.round(Math.round(la * rate) / 0.75);
	// The stretch's phases depend on where it started, so sample values differ; what must
	// line up is the sound: the loudness envelopes (10 ms RMS, both channels).
	const E = Math.round(rate * 0.01);
	const m = Math.floor(n / E) - 20;
	const env = (s: Int16Array, at: number) =>
		Float64Array.from({ length: m }, (_, k) => {
			let sum = 0;
			for (let i = (at + k * E) * ch; i < (at + (k + 1) * E) * ch; i++) sum += (s[i] ?? 0) ** 2;
			return Math.sqrt(sum / (E * ch));
		});
	const pearson = (u: Float64Array, v: Float64Array) => {
		const mu = u.reduce((s, q) => s + q, 0) / u.length;
		const mv = v.reduce((s, q) => s + q, 0) / v.length;
		let uv = 0;
		let uu = 0;
		let vv = 0;
		for (let k = 0; k < u.length; k++) [uv, uu, vv] = [uv + (u[k] - mu) * (v[k] - mv), uu + (u[k] - mu) ** 2, vv + (v[k] - mv) ** 2];
		return uv / Math.sqrt(uu * vv);
	};
	const ex = env(loop.samples, 0);
	const step = Math.round(rate * 0.00025);
	const scan: { lag: number; c: number }[] = [];
	for (let lag = -160 * step; lag <= 160 * step; lag += step) scan.push({ lag, c: pearson(ex, env(full.samples, off + lag)) });
	const best = scan.reduce((p, q) => (q.c > p.c ? q : p));
	const at = (ms: number) => scan.find((s) => s.lag === Math.round((ms * rate) / 1000 / step) * step)!.c;
	let max = 0;
	for (let i = 0; i < n * ch; i++) max = Math.max(max, Math.abs(loop.samples[i] - full.samples[off * ch + i]));
	console.log(
		`as heard, loop ${la.toFixed(3)}–${b} s vs the full render: envelopes line up best at ${((best.lag / rate) * 1000).toFixed(2)} ms (r ${best.c.toFixed(4)}; r at 0 ms ${at(0).toFixed(4)}, ±5 ms ${at(-5).toFixed(4)}/${at(5).toFixed(4)}, ±20 ms ${at(-20).toFixed(4)}/${at(20).toFixed(4)}); samples: max |diff| ${max} of 32768 (${((max / 32768) * 100).toFixed(1)} % FS)`
	);
	expect(Math.abs(best.lag / rate)).toBeLessThanOrEqual(0.002);
	expect(best.c).toBeGreaterThan(0.9);
	// Misaligned by 20 ms, the envelopes match much worse (the check can see a slip).
	expect(Math.max(at(-20), at(20))).toBeLessThan(best.c - 0.2);
});
