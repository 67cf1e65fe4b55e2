import { describe, expect, it } from 'vitest';
import { Program, catchUp, place, startFrame } from './schedule';

describe('Program', () => {
	it('plays once from the start position to the end without a loop', () => {
		const p = new Program(1000, 500, 10_000, null);
		expect(p.span(0)).toEqual({ index: 0, at: 1000, from: 500, to: 10_000 });
		expect(p.span(1)).toBeNull();
		expect(p.positionAt(900)).toBe(500);
		expect(p.positionAt(1000 + 250)).toBe(750);
		expect(p.positionAt(1e9)).toBe(10_000);
		expect(p.endFrame).toBe(1000 + 9500);
	});

	it('plays into the loop and repeats it seamlessly', () => {
		const p = new Program(0, 100, 10_000, { start: 200, end: 300 });
		expect(p.span(0)).toEqual({ index: 0, at: 0, from: 100, to: 300 });
		expect(p.span(1)).toEqual({ index: 1, at: 200, from: 200, to: 300 });
		expect(p.span(2)).toEqual({ index: 2, at: 300, from: 200, to: 300 });
		expect(p.positionAt(199)).toBe(299);
		expect(p.positionAt(200)).toBe(200);
		expect(p.positionAt(250)).toBe(250);
		expect(p.positionAt(300)).toBe(200);
		expect(p.endFrame).toBe(Infinity);
	});

	it('ignores a loop that lies before the start position', () => {
		const p = new Program(0, 500, 1000, { start: 100, end: 200 });
		expect(p.span(0)!.to).toBe(1000);
		expect(p.span(1)).toBeNull();
	});
});

describe('place', () => {
	const span = { index: 0, at: 10_000, from: 480, to: 2000 };

	it('cuts a block to the span and maps it onto the clock', () => {
		expect(place({ start: 0, frames: 960 }, span)).toEqual({
			piece: { at: 10_000, offset: 480, frames: 480 },
			next: false
		});
		expect(place({ start: 960, frames: 960 }, span)).toEqual({
			piece: { at: 10_480, offset: 0, frames: 960 },
			next: false
		});
		expect(place({ start: 1920, frames: 960 }, span)).toEqual({
			piece: { at: 11_440, offset: 0, frames: 80 },
			next: true
		});
	});

	it('keeps every stem on one frame grid however blocks are cut', () => {
		// Two stems cut into different block sizes: each timeline frame lands on the
		// same context frame in both.
		const where = (blockSize: number) => {
			const map = new Map<number, number>();
			for (let start = 0; start < 2000; start += blockSize) {
				const { piece } = place({ start, frames: blockSize }, span);
				if (!piece) continue;
				for (let i = 0; i < piece.frames; i++) map.set(start + piece.offset + i, piece.at + i);
			}
			return map;
		};
		const a = where(960);
		const b = where(313);
		expect(a.size).toBe(1520);
		expect([...a]).toEqual([...b].sort((x, y) => x[0] - y[0]));
	});

	it('says when a block lies wholly past the span', () => {
		expect(place({ start: 3000, frames: 10 }, span)).toEqual({ piece: null, next: true });
	});
});

describe('catchUp', () => {
	it('starts a late piece now, further in', () => {
		expect(catchUp({ at: 100, offset: 0, frames: 50 }, 120)).toEqual({ at: 120, offset: 20, frames: 30 });
		expect(catchUp({ at: 100, offset: 5, frames: 50 }, 90)).toEqual({ at: 100, offset: 5, frames: 50 });
		expect(catchUp({ at: 100, offset: 0, frames: 50 }, 150)).toBeNull();
	});
});

describe('startFrame', () => {
	it('rounds up to the frame grid', () => {
		expect(startFrame(1.0, 48000, 0.1)).toBe(52800);
		expect(startFrame(1.00001, 48000, 0)).toBe(48001);
	});
});

describe('Program at a practice speed', () => {
	it('lasts 1/speed context frames per timeline frame, and maps back', () => {
		const p = new Program(1000, 0, 48_000, null, 0.75);
		expect(p.endFrame).toBeCloseTo(1000 + 48_000 / 0.75, 6);
		expect(p.positionAt(1000 + 40_000)).toBeCloseTo(30_000, 6);
		expect(p.frameAt(p.span(0)!, 30_000)).toBeCloseTo(1000 + 40_000, 6);
	});

	it('repeats a loop every loop length / speed', () => {
		const loop = { start: 48_000, end: 144_000 };
		const p = new Program(0, 48_000, 480_000, loop, 0.75);
		const period = 96_000 / 0.75;
		expect(p.span(1)!.at).toBeCloseTo(period, 6);
		expect(p.span(3)!.at - p.span(2)!.at).toBeCloseTo(period, 6);
		expect(p.positionAt(period + 0.75 * 0)).toBeCloseTo(48_000, 6);
		expect(p.positionAt(period + 4000)).toBeCloseTo(48_000 + 3000, 6);
		expect(p.endFrame).toBe(Infinity);
	});

	it('at speed 1 is exactly the integer schedule', () => {
		const a = new Program(100, 0, 1000, { start: 200, end: 300 });
		const b = new Program(100, 0, 1000, { start: 200, end: 300 }, 1, 0);
		for (let i = 0; i < 4; i++) expect(b.span(i)).toEqual(a.span(i));
		for (const f of [0, 150, 299, 300, 555]) expect(b.positionAt(f)).toBe(a.positionAt(f));
	});

	it('waits at the loop start through a count-in gap before each repeat', () => {
		const p = new Program(0, 0, 10_000, { start: 0, end: 1000 }, 0.5, 500);
		// First pass 2000 context frames, then 500 of count-in, then the loop again.
		expect(p.span(1)!.at).toBe(2500);
		expect(p.span(2)!.at).toBe(2500 + 2500);
		expect(p.positionAt(2200)).toBe(0);
		expect(p.positionAt(2500 + 400)).toBeCloseTo(200, 6);
	});

	it('places blocks on one grid whatever their cut, at a speed', () => {
		const span = { index: 0, at: 1000.25, from: 0, to: 3000 };
		const at = (blockSize: number) => {
			const m = new Map<number, number>();
			for (let start = 0; start < 3000; start += blockSize) {
				const { piece } = place({ start, frames: blockSize }, span, 0.8);
				if (piece) m.set(start + piece.offset, piece.at);
			}
			return m;
		};
		// A block starting at timeline frame f starts at at + f / speed in both cuttings.
		for (const [f, t] of at(600)) expect(t).toBeCloseTo(1000.25 + f / 0.8, 9);
		for (const [f, t] of at(250)) expect(t).toBeCloseTo(1000.25 + f / 0.8, 9);
	});

	it('catches up a late piece by whole timeline frames at a speed', () => {
		const p = catchUp({ at: 100, offset: 0, frames: 100 }, 110, 0.5);
		expect(p).toEqual({ at: 110, offset: 5, frames: 95 });
		const q = catchUp({ at: 100, offset: 0, frames: 100 }, 110.3, 1.5)!;
		expect(q.offset).toBe(16);
		expect(q.at).toBeCloseTo(100 + 16 / 1.5, 9);
		expect(q.at).toBeGreaterThanOrEqual(110.3);
		expect(catchUp({ at: 100, offset: 0, frames: 10 }, 130, 0.5)).toBeNull();
	});
});
