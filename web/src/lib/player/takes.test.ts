import { describe, expect, it } from 'vitest';
import { confidenceWord, nextTake, previousTake, takeAt } from './takes';

const takes = [
	{ startSeconds: 0, endSeconds: 36 },
	{ startSeconds: 50, endSeconds: 86 },
	{ startSeconds: 100, endSeconds: 110 }
];

describe('takes on the timeline', () => {
	it('finds the take at the play head', () => {
		expect(takeAt(takes, 0)).toBe(0);
		expect(takeAt(takes, 35.9)).toBe(0);
		expect(takeAt(takes, 40)).toBe(-1);
		expect(takeAt(takes, 50)).toBe(1);
		expect(takeAt([], 3)).toBe(-1);
	});

	it('goes to the next take', () => {
		expect(nextTake(takes, 0)).toBe(1);
		expect(nextTake(takes, 40)).toBe(1);
		expect(nextTake(takes, 50)).toBe(2);
		expect(nextTake(takes, 105)).toBe(-1);
	});

	it('goes to the start of this take, then the one before', () => {
		expect(previousTake(takes, 60)).toBe(1);
		expect(previousTake(takes, 50)).toBe(0);
		expect(previousTake(takes, 50.5)).toBe(0);
		expect(previousTake(takes, 45)).toBe(0);
		expect(previousTake(takes, 0)).toBe(-1);
		expect(previousTake(takes, 200)).toBe(2);
	});

	it('words confidences', () => {
		expect(confidenceWord(0.9)).toBe('high');
		expect(confidenceWord(0.4)).toBe('medium');
		expect(confidenceWord(0.1)).toBe('low');
	});
});
