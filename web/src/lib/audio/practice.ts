// Practice settings as numbers: tempo (speed) and transposition, and the beat grid the
// click, the count-in and loop snapping use. Pure, so it is tested on its own.

export const SPEED_MIN = 0.5;
export const SPEED_MAX = 1.5;
export const SPEED_STEP = 0.05;
export const SEMITONES_MAX = 6;
export const CENTS_MAX = 50;

export interface Practice {
	/** Playback speed, 0.5–1.5 (1 = as recorded). */
	speed: number;
	/** Transposition in semitones, −6…+6. */
	semitones: number;
	/** Fine transposition in cents, −50…+50. */
	cents: number;
}

export const NEUTRAL: Practice = { speed: 1, semitones: 0, cents: 0 };

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** A speed on the control's grid (whole percent), within range. */
export function clampSpeed(speed: number): number {
	if (!Number.isFinite(speed)) return 1;
	return clamp(Math.round(speed * 100) / 100, SPEED_MIN, SPEED_MAX);
}

export function clampSemitones(st: number): number {
	return Number.isFinite(st) ? clamp(Math.round(st), -SEMITONES_MAX, SEMITONES_MAX) : 0;
}

export function clampCents(c: number): number {
	return Number.isFinite(c) ? clamp(Math.round(c), -CENTS_MAX, CENTS_MAX) : 0;
}

/** True when nothing is changed: the stretch is bypassed (no latency, bit-identical). */
export function isNeutral(p: Practice): boolean {
	return p.speed === 1 && p.semitones === 0 && p.cents === 0;
}

/**
 * The pitch shift the stretch applies, in semitones. Playing the sources at `speed`
 * (playbackRate) raises the pitch by 12·log2(speed); the stretch takes that back and
 * adds the transposition, so tempo keeps pitch and transposition keeps tempo.
 */
export function shiftSemitones(p: Practice): number {
	return -12 * Math.log2(p.speed) + p.semitones + p.cents / 100;
}

/** Beat times as the API sends them (a JSON array of seconds); damaged reads as none. */
export function parseTimes(json: string | null | undefined): number[] {
	if (!json) return [];
	try {
		const v: unknown = JSON.parse(json);
		return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b) : [];
	} catch {
		return [];
	}
}

function median(xs: number[]): number | null {
	if (xs.length === 0) return null;
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const gaps = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - xs[i]);

/** A take's grid: beats and downbeats in recording seconds. */
export interface Grid {
	beats: number[];
	downbeats: number[];
}

/** Seconds per beat (median spacing), or null without two beats. */
export function beatPeriod(g: Grid): number | null {
	return median(gaps(g.beats));
}

/** Beats per bar from the downbeats' spacing; 4 when that cannot be told. */
export function beatsPerBar(g: Grid): number {
	const beat = beatPeriod(g);
	const bar = median(gaps(g.downbeats));
	if (!beat || !bar) return 4;
	const n = Math.round(bar / beat);
	return n >= 2 && n <= 12 ? n : 4;
}

/** One click: recording time and whether it is a downbeat (accented). */
export interface Tick {
	time: number;
	accent: boolean;
}

/**
 * A grid's downbeats; when the analysis could not tell them (it leaves them out when no
 * phase of four stands out), every fourth beat from the take's first, so the click still
 * counts bars.
 */
export function downbeatsOf(g: Grid): number[] {
	return g.downbeats.length > 0 ? g.downbeats : g.beats.filter((_, i) => i % 4 === 0);
}

/** Merges the takes' grids into one sorted list of clicks. */
export function ticksOf(grids: readonly Grid[]): Tick[] {
	const out: Tick[] = [];
	for (const g of grids) {
		const down = downbeatsOf(g);
		for (const t of g.beats) out.push({ time: t, accent: down.some((d) => Math.abs(d - t) < 0.03) });
	}
	return out.sort((a, b) => a.time - b.time);
}

/** The clicks in [from, to) seconds of recording time (binary search: grids are long). */
export function ticksIn(ticks: readonly Tick[], from: number, to: number): Tick[] {
	let lo = 0;
	let hi = ticks.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (ticks[mid].time < from) lo = mid + 1;
		else hi = mid;
	}
	const out: Tick[] = [];
	for (let i = lo; i < ticks.length && ticks[i].time < to; i++) out.push(ticks[i]);
	return out;
}

/**
 * Context times of `ticks` heard through a span that plays recording seconds
 * [from, …) from context time `at` at `speed`: (t − from) / speed after `at`.
 */
export function clickTimes(ticks: readonly Tick[], from: number, at: number, speed: number): { at: number; accent: boolean }[] {
	return ticks.map((t) => ({ at: at + (t.time - from) / speed, accent: t.accent }));
}

/**
 * The count-in: one bar of clicks ending at `start` (context time), at the grid's tempo
 * × speed; the first is accented. Without a grid, 120 BPM in 4.
 */
export function countIn(grid: Grid | null, start: number, speed: number): { at: number; accent: boolean }[] {
	const period = ((grid && beatPeriod(grid)) || 0.5) / speed;
	const n = grid ? beatsPerBar(grid) : 4;
	return Array.from({ length: n }, (_, i) => ({ at: start - (n - i) * period, accent: i === 0 }));
}

/** Wall seconds a count-in lasts (so the program leaves room for it). */
export function countInSeconds(grid: Grid | null, speed: number): number {
	const period = ((grid && beatPeriod(grid)) || 0.5) / speed;
	return (grid ? beatsPerBar(grid) : 4) * period;
}

/** Snaps `t` to the nearest beat (or downbeat, with `bars`); `t` when there is no grid near. */
export function snap(t: number, grids: readonly Grid[], bars = false): number {
	let best = t;
	let dist = Infinity;
	for (const g of grids) {
		const pts = bars ? downbeatsOf(g) : g.beats;
		if (pts.length === 0) continue;
		// Only inside (or just around) the take: a time in the gap between takes stays.
		const period = beatPeriod(g) ?? 1;
		const reach = bars ? period * beatsPerBar(g) : period;
		if (t < pts[0] - reach || t > pts[pts.length - 1] + reach) continue;
		for (const p of pts) {
			const d = Math.abs(p - t);
			if (d < dist) [best, dist] = [p, d];
		}
	}
	return best;
}

/** The take grid around recording time `t`: the one containing it, else the nearest. */
export function gridAt<T extends Grid & { startSeconds: number; endSeconds: number }>(takes: readonly T[], t: number): T | null {
	let best: T | null = null;
	let dist = Infinity;
	for (const k of takes) {
		if (k.beats.length < 2) continue;
		const d = t < k.startSeconds ? k.startSeconds - t : t >= k.endSeconds ? t - k.endSeconds : 0;
		if (d < dist) [best, dist] = [k, d];
	}
	return best;
}
