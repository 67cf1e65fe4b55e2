import { describe, expect, it } from 'vitest';
import {
	audible,
	dbToFader,
	dbToGain,
	faderToDb,
	formatDb,
	gainToDb,
	loudnessOffsets,
	snapDb,
	stemGains
} from './gain';

describe('dB conversions', () => {
	it('converts both ways', () => {
		expect(dbToGain(0)).toBe(1);
		expect(dbToGain(-6)).toBeCloseTo(0.501, 3);
		expect(dbToGain(-Infinity)).toBe(0);
		expect(gainToDb(0.5)).toBeCloseTo(-6.02, 2);
		expect(gainToDb(0)).toBe(-Infinity);
	});

	it('snaps to the server range on a 0.5 dB grid', () => {
		expect(snapDb(3.26)).toBe(3.5);
		expect(snapDb(-100)).toBe(-60);
		expect(snapDb(40)).toBe(12);
	});

	it('has a fader taper that round-trips and is monotonic', () => {
		expect(faderToDb(0)).toBe(-60);
		expect(faderToDb(1)).toBe(12);
		expect(faderToDb(0.25)).toBe(-24);
		let prev = -Infinity;
		for (let p = 0; p <= 1; p += 0.01) {
			const db = faderToDb(p);
			expect(db).toBeGreaterThanOrEqual(prev);
			prev = db;
			expect(dbToFader(db)).toBeCloseTo(p, 9);
		}
		// 0 dB sits at two thirds of the upper travel.
		expect(dbToFader(0)).toBeCloseTo(0.25 + 0.75 * (24 / 36), 9);
	});

	it('formats dB values', () => {
		expect(formatDb(3)).toBe('+3.0 dB');
		expect(formatDb(-12.25)).toBe('-12.3 dB');
		expect(formatDb(-0.01)).toBe('0.0 dB');
		expect(formatDb(-Infinity)).toBe('-∞ dB');
	});
});

describe('loudnessOffsets', () => {
	it('brings every stem to the mean loudness', () => {
		const o = loudnessOffsets([
			{ lufs: -14, truePeakDbtp: -20 },
			{ lufs: -26, truePeakDbtp: -20 },
			{ lufs: -20, truePeakDbtp: -20 }
		]);
		expect(o).toEqual([-6, 6, 0]);
	});

	it('limits boosts by the true peak and leaves silent stems alone', () => {
		const o = loudnessOffsets([
			{ lufs: -10, truePeakDbtp: -1 },
			{ lufs: -30, truePeakDbtp: -4 },
			{ lufs: null, truePeakDbtp: null }
		]);
		// target -20: +10 wanted for the 2nd, but its peak allows only +3.
		expect(o).toEqual([-10, 3, 0]);
	});

	it('clamps big differences and handles no measurements', () => {
		expect(loudnessOffsets([{ lufs: -5, truePeakDbtp: null }, { lufs: -75, truePeakDbtp: null }])).toEqual([-24, 12]);
		expect(loudnessOffsets([{ lufs: null, truePeakDbtp: null }])).toEqual([0]);
	});
});

describe('mute and solo', () => {
	const s = (faderDb: number, muted = false, soloed = false) => ({ faderDb, muted, soloed });

	it('mutes', () => {
		expect(audible([s(0), s(0, true), s(0)])).toEqual([true, false, true]);
	});

	it('solo wins over everything else', () => {
		expect(audible([s(0), s(0, true, true), s(0, false, true)])).toEqual([false, true, true]);
	});

	it('computes linear gains with loudness offsets', () => {
		const g = stemGains([s(-6), s(0, true), s(0)], [6, 0, -20]);
		expect(g[0]).toBeCloseTo(1, 9);
		expect(g[1]).toBe(0);
		expect(g[2]).toBeCloseTo(0.1, 9);
		expect(stemGains([s(-6)], null)[0]).toBeCloseTo(0.501, 3);
	});
});
