import { describe, expect, it } from 'vitest';
import { SegmentCache, SegmentedFile, segmentsFor, totalFromContentRange } from './segments';

function source(size: number) {
	const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251);
	const calls: [number, number][] = [];
	const fetchRange = async (start: number, end: number) => {
		calls.push([start, end]);
		return bytes.slice(start, end);
	};
	return { bytes, calls, fetchRange };
}

describe('segments', () => {
	it('lists the segments covering a range', () => {
		expect(segmentsFor(0, 10, 10)).toEqual([0]);
		expect(segmentsFor(5, 25, 10)).toEqual([0, 1, 2]);
		expect(segmentsFor(10, 10, 10)).toEqual([]);
	});

	it('reads ranges across segments and caches them', async () => {
		const s = source(1000);
		const f = new SegmentedFile('a', 1000, s.fetchRange, new SegmentCache(), 128);
		expect([...(await f.read(100, 300))]).toEqual([...s.bytes.slice(100, 300)]);
		// Three segments, one request.
		expect(s.calls).toEqual([[0, 384]]);
		expect([...(await f.read(250, 260))]).toEqual([...s.bytes.slice(250, 260)]);
		expect([...(await f.segment(1))]).toEqual([...s.bytes.slice(128, 256)]);
		expect(s.calls.length).toBe(1);
		expect([...(await f.read(900, 2000))]).toEqual([...s.bytes.slice(900, 1000)]);
		expect(s.calls[s.calls.length - 1]).toEqual([896, 1000]);
	});

	it('fetches only the segments not at hand, a request per run of them', async () => {
		const s = source(1000);
		const f = new SegmentedFile('c', 1000, s.fetchRange, new SegmentCache(), 100);
		await f.read(200, 300);
		await f.read(500, 600);
		s.calls.length = 0;
		expect([...(await f.read(50, 750))]).toEqual([...s.bytes.slice(50, 750)]);
		expect(s.calls).toEqual([
			[0, 200],
			[300, 500],
			[600, 800]
		]);
	});

	it('shares one request between concurrent readers', async () => {
		const s = source(100);
		const f = new SegmentedFile('b', 100, s.fetchRange, new SegmentCache(), 64);
		await Promise.all([f.read(0, 10), f.read(5, 20), f.segment(0)]);
		expect(s.calls.length).toBe(1);
	});

	it('evicts least recently used segments past its capacity', () => {
		const c = new SegmentCache(10);
		c.set('a', new Uint8Array(4));
		c.set('b', new Uint8Array(4));
		c.get('a');
		c.set('c', new Uint8Array(4));
		expect(c.get('b')).toBeUndefined();
		expect(c.get('a')).toBeDefined();
		expect(c.size).toBe(8);
	});

	it('reads the total from Content-Range', () => {
		expect(totalFromContentRange('bytes 0-99/1234')).toBe(1234);
		expect(totalFromContentRange('bytes */55')).toBe(55);
		expect(totalFromContentRange(null)).toBeNull();
	});
});
