import { describe, expect, it } from 'vitest';
import {
	beatsPerBar,
	clampSpeed,
	clickTimes,
	countIn,
	countInSeconds,
	isNeutral,
	parseTimes,
	shiftSemitones,
	snap,
	ticksIn,
	ticksOf,
	type Grid
} from './practice';

/** A grid at `bpm` in `n`/4 from `start` for `bars` bars. */
function grid(bpm: number, n: number, start: number, bars: number): Grid {
	const beats = Array.from({ length: n * bars }, (_, i) => start + (i * 60) / bpm);
	return { beats, downbeats: beats.filter((_, i) => i % n === 0) };
}

describe('pitch ratio', () => {
	it('takes back the pitch rise of the playback speed', () => {
		expect(shiftSemitones({ speed: 1, semitones: 0, cents: 0 })).toBe(0);
		expect(shiftSemitones({ speed: 0.5, semitones: 0, cents: 0 })).toBeCloseTo(12, 9);
		expect(shiftSemitones({ speed: 0.75, semitones: 0, cents: 0 })).toBeCloseTo(4.980_449_991, 6);
		expect(shiftSemitones({ speed: 1.5, semitones: 0, cents: 0 })).toBeCloseTo(-7.019_550_009, 6);
		// The sources at 0.75 sound 0.75 × the frequency; shifted back they sound 1 ×.
		const heard = 0.75 * 2 ** (shiftSemitones({ speed: 0.75, semitones: 0, cents: 0 }) / 12);
		expect(heard).toBeCloseTo(1, 12);
	});

	it('adds semitones and cents', () => {
		expect(shiftSemitones({ speed: 1, semitones: 3, cents: 0 })).toBe(3);
		expect(shiftSemitones({ speed: 1, semitones: -2, cents: 25 })).toBeCloseTo(-1.75, 12);
		const heard = 1.25 * 2 ** (shiftSemitones({ speed: 1.25, semitones: 3, cents: -10 }) / 12);
		expect(heard).toBeCloseTo(2 ** (2.9 / 12), 12);
	});

	it('is neutral (bypassed) only at 100 % and no transposition', () => {
		expect(isNeutral({ speed: 1, semitones: 0, cents: 0 })).toBe(true);
		expect(isNeutral({ speed: 1, semitones: 0, cents: 1 })).toBe(false);
		expect(isNeutral({ speed: 0.99, semitones: 0, cents: 0 })).toBe(false);
		expect(clampSpeed(0.2)).toBe(0.5);
		expect(clampSpeed(1.7)).toBe(1.5);
		expect(clampSpeed(0.7 + 0.05)).toBe(0.75);
	});
});

describe('beat grid', () => {
	it('reads the API’s JSON and survives damage', () => {
		expect(parseTimes('[1.5,0.5]')).toEqual([0.5, 1.5]);
		expect(parseTimes('nope')).toEqual([]);
		expect(parseTimes('{"a":1}')).toEqual([]);
		expect(parseTimes('')).toEqual([]);
	});

	it('tells the bar length from the downbeats, else 4', () => {
		expect(beatsPerBar(grid(112, 4, 0, 8))).toBe(4);
		expect(beatsPerBar(grid(90, 3, 2, 8))).toBe(3);
		expect(beatsPerBar({ beats: grid(90, 3, 2, 8).beats, downbeats: [] })).toBe(4);
	});

	it('times the clicks of a span at a speed', () => {
		const g = grid(112, 4, 10, 4);
		const ticks = ticksOf([g]);
		expect(ticks.filter((t) => t.accent)).toHaveLength(4);
		// The span plays recording seconds [10, …) from context time 5 at 0.75.
		const clicks = clickTimes(ticksIn(ticks, 10, 20), 10, 5, 0.75);
		expect(clicks).toHaveLength(16);
		expect(clicks[0]).toEqual({ at: 5, accent: true });
		const period = 60 / 112 / 0.75;
		for (let i = 1; i < clicks.length; i++) expect(clicks[i].at - clicks[i - 1].at).toBeCloseTo(period, 9);
		expect(clicks[4].accent).toBe(true);
		expect(clicks[5].accent).toBe(false);
		// Clicks per second: 112 BPM × 0.75.
		expect((clicks.length - 1) / (clicks[15].at - clicks[0].at)).toBeCloseTo((112 / 60) * 0.75, 9);
	});

	it('accents every fourth beat when the analysis found no downbeats', () => {
		const g = { beats: grid(100, 4, 1, 3).beats, downbeats: [] };
		expect(ticksOf([g]).map((t) => (t.accent ? 'A' : '.')).join('')).toBe('A...A...A...');
		expect(snap(1 + 4 * 0.6 + 0.1, [g], true)).toBeCloseTo(1 + 4 * 0.6, 9);
	});

	it('finds the clicks of a range in a long grid', () => {
		const ticks = ticksOf([grid(120, 4, 0, 500)]);
		expect(ticksIn(ticks, 10, 12).map((t) => t.time)).toEqual([10, 10.5, 11, 11.5]);
		expect(ticksIn(ticks, 2000, 3000)).toEqual([]);
	});

	it('counts in one bar at the take’s tempo × speed, accent first', () => {
		const g = grid(112, 4, 0, 4);
		const c = countIn(g, 100, 0.5);
		const period = 60 / 112 / 0.5;
		expect(c.map((x) => x.accent)).toEqual([true, false, false, false]);
		expect(c[0].at).toBeCloseTo(100 - 4 * period, 9);
		expect(c[3].at).toBeCloseTo(100 - period, 9);
		expect(countInSeconds(g, 0.5)).toBeCloseTo(4 * period, 9);
		expect(countIn(grid(90, 3, 0, 4), 10, 1)).toHaveLength(3);
		// No grid: 120 BPM in 4.
		expect(countInSeconds(null, 1)).toBe(2);
	});

	it('snaps loop edges to beats or bars, inside the takes only', () => {
		const g = grid(120, 4, 10, 8); // beats every 0.5 s from 10 s, bars every 2 s
		expect(snap(11.2, [g])).toBe(11);
		expect(snap(11.3, [g])).toBe(11.5);
		expect(snap(11.3, [g], true)).toBe(12);
		expect(snap(10.9, [g], true)).toBe(10);
		// Far outside the take: unchanged.
		expect(snap(3, [g])).toBe(3);
		expect(snap(40, [g], true)).toBe(40);
	});
});
