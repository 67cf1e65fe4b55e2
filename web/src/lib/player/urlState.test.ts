import { describe, expect, it } from 'vitest';
import { formatSeconds, parsePlace, placeOf, withPlace } from './urlState';

const q = (s: string) => new URLSearchParams(s);

describe('player URL', () => {
	it('reads time, loop and take', () => {
		expect(parsePlace(q('t=83.2&loop=50-86&take=2'))).toEqual({ t: 83.2, loop: { start: 50, end: 86 }, take: 2 });
		expect(parsePlace(q('loop=86-50'))).toEqual({ loop: { start: 50, end: 86 } });
		expect(parsePlace(q(''))).toEqual({});
	});

	it('ignores what is malformed', () => {
		expect(parsePlace(q('t=-3&loop=10&take=0'))).toEqual({});
		expect(parsePlace(q('t=abc&loop=a-b&take=1.5'))).toEqual({});
		expect(parsePlace(q('loop=5-5'))).toEqual({});
	});

	it('writes tenths and keeps other parameters', () => {
		const out = withPlace(q('decoder=chunks&t=1&take=3'), { t: 83.24, loop: { start: 50, end: 86.05 } });
		expect(out.toString()).toBe('decoder=chunks&t=83.2&loop=50-86.1');
		expect(withPlace(q('t=5'), { t: 0 }).toString()).toBe('');
		expect(formatSeconds(49.96)).toBe('50');
	});

	it('round-trips', () => {
		const place = { t: 12.3, loop: { start: 1.5, end: 9 }, take: 4 };
		expect(parsePlace(withPlace(q(''), place))).toEqual(place);
	});

	it('writes a looped take as ?take', () => {
		const takes = [{ startSeconds: 0 }, { startSeconds: 50 }];
		expect(placeOf(50, { start: 50, end: 86 }, 1, takes)).toEqual({ take: 2 });
		expect(placeOf(60.2, { start: 50, end: 86 }, 1, takes)).toEqual({ take: 2, t: 60.2 });
		expect(placeOf(60, { start: 55, end: 70 }, -1, takes)).toEqual({ t: 60, loop: { start: 55, end: 70 } });
		expect(placeOf(3, null, -1, takes)).toEqual({ t: 3 });
	});
});
