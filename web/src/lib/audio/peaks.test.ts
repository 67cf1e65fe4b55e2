import { describe, expect, it } from 'vitest';
import { bucketPeaks, parsePeaks, peaksDuration } from './peaks';

function peaksFile(pairs: [number, number][], rate = 48000, per = 480): Uint8Array {
	const b = new Uint8Array(24 + pairs.length * 2);
	const v = new DataView(b.buffer);
	b.set([0x53, 0x54, 0x50, 0x4b]);
	v.setUint32(4, 1, true);
	v.setUint32(8, rate, true);
	v.setUint32(12, per, true);
	v.setBigUint64(16, BigInt(pairs.length), true);
	pairs.forEach(([mn, mx], i) => {
		v.setInt8(24 + 2 * i, mn);
		v.setInt8(25 + 2 * i, mx);
	});
	return b;
}

describe('parsePeaks', () => {
	it('reads the header and the pairs', () => {
		const p = parsePeaks(peaksFile([[-10, 20], [-127, 127]]));
		expect(p).toMatchObject({ sampleRate: 48000, framesPerPeak: 480, count: 2 });
		expect([...p.data]).toEqual([-10, 20, -127, 127]);
		expect(peaksDuration(p)).toBeCloseTo(0.02, 9);
	});

	it('rejects other files and truncation', () => {
		expect(() => parsePeaks(new TextEncoder().encode('{"peaks":[0.1]}xxxxxxxxxxxxxxxx'))).toThrow(/magic/);
		expect(() => parsePeaks(peaksFile([[1, 2]]).subarray(0, 25))).toThrow(/truncated/);
	});
});

describe('bucketPeaks', () => {
	// 100 peaks per second, 4 seconds: a loud second second.
	const pairs: [number, number][] = Array.from({ length: 400 }, (_, i) =>
		i >= 100 && i < 200 ? [-127, 127] : [-12, 13]
	);
	const p = parsePeaks(peaksFile(pairs));

	it('takes the extremes of each column', () => {
		const { min, max } = bucketPeaks(p, 0, 4, 4);
		expect([...max].map((x) => Math.round(x * 127))).toEqual([13, 127, 13, 13]);
		expect([...min].map((x) => Math.round(x * 127))).toEqual([-12, -127, -12, -12]);
	});

	it('zooms into a time range, and is empty past the data', () => {
		const { max } = bucketPeaks(p, 0.5, 1.5, 2);
		expect([...max].map((x) => Math.round(x * 127))).toEqual([13, 127]);
		const past = bucketPeaks(p, 10, 12, 3);
		expect([...past.max]).toEqual([0, 0, 0]);
	});

	it('keeps narrow spikes when there are more peaks than columns', () => {
		const spiky = parsePeaks(peaksFile(Array.from({ length: 1000 }, (_, i) => (i === 777 ? [-1, 120] : [0, 1]))));
		const { max } = bucketPeaks(spiky, 0, 10, 7);
		expect(Math.max(...max)).toBeCloseTo(120 / 127, 6);
	});
});
