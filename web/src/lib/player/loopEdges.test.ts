import { describe, expect, it } from 'vitest';
import { MIN_LOOP, moveEdge } from './loopEdges';

describe('moveEdge', () => {
	const loop = { start: 10, end: 20 };
	it('moves one edge and keeps the other', () => {
		expect(moveEdge(loop, 'start', 12.34567, 60)).toEqual({ start: 12.346, end: 20 });
		expect(moveEdge(loop, 'end', 25, 60)).toEqual({ start: 10, end: 25 });
	});
	it('keeps the loop at least MIN_LOOP long', () => {
		expect(moveEdge(loop, 'start', 30, 60)).toEqual({ start: 20 - MIN_LOOP, end: 20 });
		expect(moveEdge(loop, 'end', 5, 60)).toEqual({ start: 10, end: 10 + MIN_LOOP });
	});
	it('stays inside the recording', () => {
		expect(moveEdge(loop, 'start', -3, 60)).toEqual({ start: 0, end: 20 });
		expect(moveEdge(loop, 'end', 99, 60)).toEqual({ start: 10, end: 60 });
	});
});
