import { describe, expect, it } from 'vitest';
import { canSplitAt, edgeRange, followedLoop, mergeRefusal, moveTakeEdge, sameSpan, snapEdge, snapTo } from './takeEdit';

const takes = [
	{ startSeconds: 0, endSeconds: 36 },
	{ startSeconds: 50, endSeconds: 86 }
];

describe('edgeRange', () => {
	it('keeps a start between the previous take (or 0) and 1 s before the end', () => {
		expect(edgeRange(takes, 0, 'start', 90)).toEqual({ min: 0, max: 35 });
		expect(edgeRange(takes, 1, 'start', 90)).toEqual({ min: 36, max: 85 });
	});
	it('keeps an end between 1 s after the start and the next take (or the recording end)', () => {
		expect(edgeRange(takes, 0, 'end', 90)).toEqual({ min: 1, max: 50 });
		expect(edgeRange(takes, 1, 'end', 90)).toEqual({ min: 51, max: 90 });
	});
	it('never gives a min above the max (a take squeezed by its neighbour)', () => {
		const tight = [
			{ startSeconds: 0, endSeconds: 10 },
			{ startSeconds: 10, endSeconds: 10.5 }
		];
		const r = edgeRange(tight, 1, 'start', 20);
		expect(r.min).toBeLessThanOrEqual(r.max);
	});
});

describe('moveTakeEdge', () => {
	it('moves one edge and rounds to 0.01 s', () => {
		expect(moveTakeEdge(takes, 0, 'end', 31.234, 90)).toEqual({ startSeconds: 0, endSeconds: 31.23 });
		expect(moveTakeEdge(takes, 1, 'start', 52.006, 90)).toEqual({ startSeconds: 52.01, endSeconds: 86 });
	});
	it('stops at the neighbour, not over it', () => {
		expect(moveTakeEdge(takes, 0, 'end', 60, 90).endSeconds).toBe(50);
		expect(moveTakeEdge(takes, 1, 'start', 20, 90).startSeconds).toBe(36);
	});
	it('stops at the recording ends', () => {
		expect(moveTakeEdge(takes, 0, 'start', -3, 90).startSeconds).toBe(0);
		expect(moveTakeEdge(takes, 1, 'end', 95, 90).endSeconds).toBe(90);
	});
	it('keeps the take at least 1 s long', () => {
		expect(moveTakeEdge(takes, 0, 'end', 0.2, 90).endSeconds).toBe(1);
		expect(moveTakeEdge(takes, 1, 'start', 86, 90).startSeconds).toBe(85);
	});
	it('reaches an unrounded neighbour edge exactly', () => {
		const t = [
			{ startSeconds: 0, endSeconds: 36.0049 },
			{ startSeconds: 50, endSeconds: 86 }
		];
		expect(moveTakeEdge(t, 1, 'start', 30, 90).startSeconds).toBe(36.0049);
	});
});

describe('snapTo', () => {
	it('pulls onto the nearest target within the tolerance', () => {
		expect(snapTo(10.3, [10, 10.4], 0.5)).toBe(10.4);
		expect(snapTo(10.3, [10], 0.5)).toBe(10);
	});
	it('leaves a time with no target near', () => {
		expect(snapTo(12, [10], 0.5)).toBe(12);
		expect(snapTo(12, [], 0.5)).toBe(12);
	});
});

describe('split and merge', () => {
	it('offers a split only strictly inside the take', () => {
		expect(canSplitAt(takes[1], 60)).toBe(true);
		expect(canSplitAt(takes[1], 50)).toBe(false);
		expect(canSplitAt(takes[1], 86)).toBe(false);
		expect(canSplitAt(takes[1], 40)).toBe(false);
	});
	it('refuses to merge the last take, or takes of different songs', () => {
		expect(mergeRefusal(takes, 0)).toBeNull();
		expect(mergeRefusal(takes, 1)).toMatch(/last take/);
		expect(mergeRefusal([{ ...takes[0], songId: 'a' }, { ...takes[1], songId: 'b' }], 0)).toMatch(/different songs/);
		expect(mergeRefusal([{ ...takes[0], songId: 'a' }, { ...takes[1], songId: null }], 0)).toBeNull();
		expect(mergeRefusal([{ ...takes[0], songId: 'a' }, { ...takes[1], songId: 'a' }], 0)).toBeNull();
	});
	it('tells a loop on a take span', () => {
		expect(sameSpan({ start: 50.004, end: 86 }, takes[1])).toBe(true);
		expect(sameSpan({ start: 50, end: 80 }, takes[1])).toBe(false);
		expect(sameSpan(null, takes[1])).toBe(false);
	});
});

describe('followedLoop', () => {
	const loop = { start: 50, end: 86 };
	it('follows a take whose span it was', () => {
		expect(followedLoop(loop, 60, takes[1], [{ startSeconds: 52, endSeconds: 80 }])).toEqual({ start: 52, end: 80 });
	});
	it('takes the half of a split the play head is in (else the first)', () => {
		const halves = [
			{ startSeconds: 50, endSeconds: 70 },
			{ startSeconds: 70, endSeconds: 86 }
		];
		expect(followedLoop(loop, 75, takes[1], halves)).toEqual({ start: 70, end: 86 });
		expect(followedLoop(loop, 10, takes[1], halves)).toEqual({ start: 50, end: 70 });
	});
	it('stays for another take or no loop', () => {
		expect(followedLoop(loop, 60, takes[0], [{ startSeconds: 0, endSeconds: 30 }])).toBe('keep');
		expect(followedLoop(null, 60, takes[1], [{ startSeconds: 52, endSeconds: 80 }])).toBe('keep');
		expect(followedLoop(loop, 60, takes[0], [])).toBe('keep');
	});
	it('goes when its take is deleted', () => {
		expect(followedLoop(loop, 60, takes[1], [])).toBe('clear');
	});
});

describe('snapEdge', () => {
	const beats = [10, 10.5, 11, 11.5, 12];
	it('pulls a dragged edge onto a beat of the take near it', () => {
		expect(snapEdge(11.08, null, beats, 0.2, 0.1)).toBe(11);
		expect(snapEdge(11.2, null, beats, 0.2, 0.1)).toBe(11.2);
	});
	it('prefers the play head', () => {
		expect(snapEdge(11.08, 11.15, beats, 0.2, 0.1)).toBe(11.15);
	});
	it('leaves the edge free where the beats are too close together at this zoom', () => {
		expect(snapEdge(11.08, null, beats, 0.8, 0.2)).toBe(11.08);
	});
	it('without beats, only the play head', () => {
		expect(snapEdge(11.08, null, [], 0.2, 0.1)).toBe(11.08);
	});
});
