import { describe, expect, it } from 'vitest';
import { byTitle, orderTakes, songSummary } from './songs';

const rec = (id: string, recordedAt: string) => ({ id, recordedAt });

describe('songSummary', () => {
	it('counts takes and lists each recording once, oldest first', () => {
		const a = rec('a', '2026-12-01 20:00:00 UTC');
		const b = rec('b', '2026-11-24 19:00:00 UTC');
		const s = songSummary([{ recording: a }, { recording: b }, { recording: a }]);
		expect(s.count).toBe(3);
		expect(s.dates.map((d) => d.toISOString())).toEqual(['2026-11-24T19:00:00.000Z', '2026-12-01T20:00:00.000Z']);
	});
	it('is empty for a song without takes', () => {
		expect(songSummary([])).toEqual({ count: 0, dates: [] });
	});
});

describe('orderTakes', () => {
	it('orders by recording date, then position', () => {
		const late = rec('z', '2026-12-02 10:00:00 UTC');
		const early = rec('y', '2026-12-01 10:00:00 UTC');
		const takes = [
			{ id: 1, position: 0, recording: late },
			{ id: 2, position: 3, recording: early },
			{ id: 3, position: 1, recording: early }
		];
		expect(orderTakes(takes).map((t) => t.id)).toEqual([3, 2, 1]);
	});
	it('keeps takes of two recordings of the same moment apart', () => {
		const a = rec('a', '2026-12-01 10:00:00 UTC');
		const b = rec('b', '2026-12-01 10:00:00 UTC');
		const takes = [
			{ id: 1, position: 0, recording: b },
			{ id: 2, position: 1, recording: a },
			{ id: 3, position: 1, recording: b },
			{ id: 4, position: 0, recording: a }
		];
		expect(orderTakes(takes).map((t) => t.id)).toEqual([4, 2, 1, 3]);
	});
});

describe('byTitle', () => {
	it('sorts case-insensitively with numbers in order', () => {
		const s = byTitle([{ title: 'song 10' }, { title: 'Blue' }, { title: 'song 2' }, { title: 'alpha' }]);
		expect(s.map((x) => x.title)).toEqual(['alpha', 'Blue', 'song 2', 'song 10']);
	});
});

describe('nextTakeOf', () => {
	it('goes to the next take, then round to the first', async () => {
		const { nextTakeOf } = await import('./songs');
		const takes = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
		expect(nextTakeOf(takes, 'a')?.id).toBe('b');
		expect(nextTakeOf(takes, 'c')?.id).toBe('a');
		expect(nextTakeOf([{ id: 'a' }], 'a')).toBeNull();
		expect(nextTakeOf(takes, 'x')).toBeNull();
	});
});
