// Player figures on localhost (a benchmark, not a test): first sound after Play, seek
// (click on a waveform → audio at the new place, and the bytes read for it) and the CPU
// playback costs, in Debian's Chromium through Playwright (web/node_modules).
// Usage: node bench.mjs BASE_URL [RUNS]   (run.sh seeds and serves; see README.md)
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../../web/package.json', import.meta.url)));
const { chromium } = require('playwright');

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
const CPU_SECONDS = Number(process.env.CPU_SECONDS ?? 20);
const TICK = 100; // USER_HZ: /proc/<pid>/stat counts in 1/100 s on Linux

// A browser server: its process id leads to the renderer's and the audio service's.
const server = await chromium.launchServer({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']
});
const root = server.process().pid;
const browser = await chromium.connect(server.wsEndpoint());

/** Every process under the browser's, with its kind (renderer, audio, gpu, …). */
function processes() {
	const all = [];
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			// Zygote-forked processes rewrite their command line into one string: split on spaces too.
			const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split(/[\0 ]/);
			all.push({ pid: Number(d), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, cmd });
		} catch {
			/* gone */
		}
	}
	const mine = new Set([root]);
	for (let grew = true; grew; ) {
		grew = false;
		for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
	}
	return all
		.filter((p) => mine.has(p.pid))
		.map((p) => {
			const type = p.cmd.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
			const sub = p.cmd.find((a) => a.startsWith('--utility-sub-type='))?.slice(19) ?? '';
			return { pid: p.pid, cpu: p.cpu, kind: type === 'utility' && /audio/i.test(sub) ? 'audio' : type === 'utility' ? `utility:${sub}` : type };
		});
}

const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`${base}/bands/bench`);
const href = await page.getByTestId('recording-row').first().getByRole('link').first().getAttribute('href');
const url = `${base}${href}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs, d = 0) => (xs.length ? `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})` : "–");

async function openPlayer() {
	await page.goto(url);
	await page.getByTestId('play').waitFor();
	await page.waitForFunction(() => document.querySelector('[data-testid=play]')?.getAttribute('data-state') === 'ready', null, { timeout: 120_000 });
	await page.evaluate(() => performance.setResourceTimingBufferSize(100000));
}

/**
 * Arms a watcher in the page: from now (pointer down / click, on the AudioContext clock)
 * until the play head moves on from `target` (s), i.e. the first frame there is heard.
 * Resolves to [ms from the input to that frame, bytes of media fetched in between, ms to
 * the first of those requests, ms to the end of the last, how many].
 */
async function armWatch(target) {
	// Registered before the input is sent (a bare mouse click would race an unawaited evaluate).
	await page.evaluate((target) => {
		window.__benchWatch = new Promise((done) => {
			const h = window.__stemsetPlayer;
			let t0 = null;
			let p0 = 0;
			const start = () => {
				t0 = h.contextTime();
				p0 = performance.now();
			};
			addEventListener('pointerdown', start, { once: true, capture: true });
			const id = setInterval(() => {
				if (t0 === null) return;
				const pos = h.position();
				const tgt = target ?? pos;
				if (pos > tgt + 0.002 && pos < tgt + 0.5) {
					clearInterval(id);
					// The frame at `tgt` was heard (pos − tgt) ago on the context clock.
					const heardAt = h.contextTime() - (pos - tgt);
					const now = performance.now();
					const reqs = performance
						.getEntriesByType('resource')
						.filter((e) => e.startTime >= p0 && e.startTime <= now && /\/(media|api)\//.test(e.name));
					const bytes = reqs.reduce((a, e) => a + (e.encodedBodySize || e.transferSize || 0), 0);
					const firstReq = reqs.length ? Math.min(...reqs.map((e) => e.startTime)) - p0 : NaN;
					const lastEnd = reqs.length ? Math.max(...reqs.map((e) => e.responseEnd)) - p0 : NaN;
					done([(heardAt - t0) * 1000, bytes, firstReq, lastEnd, reqs.length]);
				}
			}, 1);
			setTimeout(() => (clearInterval(id), done([NaN, 0, t0, h.position(), target])), 20000);
		});
	}, target);
	return { result: () => page.evaluate(() => window.__benchWatch) };
}

// First sound after Play: a fresh page each run.
const first = [];
for (let i = 0; i < runs; i++) {
	await openPlayer();
	const start = await page.evaluate(() => window.__stemsetPlayer.position());
	const w = await armWatch(start);
	await page.getByTestId('play').click();
	first.push((await w.result())[0]);
}

// Seek while playing: clicks at five places across the first stem's waveform, then
// back to places heard before (their pages known: no search needed).
const seekMs = [];
const seekBytes = [];
const backMs = [];
const backBytes = [];
/** Per seek: ms to the first request, to the end of the last, and how many. */
const phases = [];
await openPlayer();
await page.getByTestId('play').click();
await page.waitForTimeout(2000);
const lane = (await page.getByTestId('waveform').first().boundingBox());
const duration = Number(await page.evaluate(() => document.querySelector('[data-testid=tracks]')?.getAttribute('data-view-span')));
const places = [0.62, 0.18, 0.83, 0.41, 0.07, 0.55, 0.29, 0.94, 0.12, 0.71];
/** Clicks at fraction f of the lane (dx px further); the time heard and bytes read. */
async function seekAt(f, dx = 0) {
	const x = Math.round(lane.x + f * lane.width) + dx;
	// The time the page will seek to for this x (see timeAtFraction; the whole recording in view).
	const target = ((x - lane.x) / lane.width) * duration;
	const w = await armWatch(target);
	await page.mouse.click(x, lane.y + lane.height / 2);
	const [ms, bytes, ...rest] = await w.result();
	if (Number.isNaN(ms)) console.error('seek not heard:', rest);
	await page.waitForTimeout(1500);
	return [ms, bytes, rest];
}
for (let i = 0; i < runs; i++) {
	const [ms, bytes, [firstReq, lastEnd, n]] = await seekAt(places[i % places.length]);
	seekMs.push(ms);
	seekBytes.push(bytes);
	phases.push({ firstReq, lastEnd, n });
}
for (let i = 0; i < Math.min(runs, places.length); i++) {
	// A pixel on: ~1–4 s later, inside what was played after the first visit.
	const [ms, bytes] = await seekAt(places[i], 1);
	backMs.push(ms);
	backBytes.push(bytes);
}

/**
 * CPU seconds per wall second of the renderer, the audio service and everything, over
 * CPU_SECONDS of playback (or, with `paused`, of a pause after 3 s of playback).
 */
async function cpu(speed, paused = false) {
	await openPlayer();
	if (speed !== 1) await page.getByTestId('speed-75').click();
	await page.getByTestId('play').click();
	await page.waitForTimeout(3000);
	if (paused) {
		await page.getByTestId('play').click();
		await page.waitForTimeout(1000);
	}
	const a = processes();
	const t0 = Date.now();
	await page.waitForTimeout(CPU_SECONDS * 1000);
	const b = processes();
	const wall = (Date.now() - t0) / 1000;
	const used = (kind) =>
		b.filter((p) => kind === '*' || p.kind === kind).reduce((s, p) => s + p.cpu - (a.find((q) => q.pid === p.pid)?.cpu ?? 0), 0) / wall;
	const state = await page.getByTestId('play').getAttribute('data-state');
	if (!paused) await page.getByTestId('play').click();
	return { renderer: used('renderer'), audio: used('audio'), all: used('*'), state, expected: paused ? 'paused' : 'playing' };
}
const cpuRuns = { 1: [], 0.75: [], paused: [] };
const cpuRepeats = Number(process.env.CPU_RUNS ?? runs);
for (let i = 0; i < cpuRepeats; i++) {
	for (const sp of [1, 0.75]) cpuRuns[sp].push(await cpu(sp));
	cpuRuns.paused.push(await cpu(0.75, true));
}

await browser.close();
await server.close();

const stems = 4;
console.log(`\nStemset player on ${base} (${duration.toFixed(0)} s recording, ${stems} stems), medians (min–max) of ${runs} runs`);
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| first sound after Play (ms) | ${fmt(first)} |`);
console.log(`| seek: click → audio at the new place (ms) | ${fmt(seekMs)} |`);
console.log(`| seek: media bytes read until then (KB) | ${fmt(seekBytes.map((b) => b / 1024))} |`);
console.log(`| seek: click → first media request (ms) | ${fmt(phases.map((p) => p.firstReq).filter((x) => !Number.isNaN(x)))} |`);
console.log(`| seek: click → last media response (ms) | ${fmt(phases.map((p) => p.lastEnd).filter((x) => !Number.isNaN(x)))} |`);
console.log(`| seek: media requests (all stems) | ${fmt(phases.map((p) => p.n))} |`);
console.log(`| seek back to a place played before (ms) | ${fmt(backMs)} |`);
console.log(`| seek back: media bytes read (KB) | ${fmt(backBytes.map((b) => b / 1024))} |`);
for (const sp of [1, 0.75, 'paused']) {
	const r = cpuRuns[sp];
	const label = sp === 1 ? '1×' : sp === 0.75 ? '0.75 (stretch on)' : 'pause, stretch on';
	console.log(`| CPU at ${label}: renderer (s/s) | ${fmt(r.map((x) => x.renderer), 3)} |`);
	console.log(`| CPU at ${label}: audio service (s/s) | ${fmt(r.map((x) => x.audio), 3)} |`);
	console.log(`| CPU at ${label}: renderer + audio (s/s) | ${fmt(r.map((x) => x.renderer + x.audio), 3)} |`);
	console.log(`| CPU at ${label}: all Chromium processes (s/s) | ${fmt(r.map((x) => x.all), 3)} |`);
	if (r.some((x) => x.state !== x.expected)) console.log(`(warning: not ${r[0].expected} at the end of a CPU run at ${sp}: ${r.map((x) => x.state).join(',')})`);
}
console.log(`raw: first ${first.map((x) => x.toFixed(0)).join(' ')}; seek ${seekMs.map((x) => x.toFixed(0)).join(' ')} ms, ${seekBytes.map((b) => (b / 1024).toFixed(0)).join(' ')} KB; back ${backMs.map((x) => x.toFixed(0)).join(' ')} ms`);
console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
