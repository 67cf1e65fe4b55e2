import { describe, expect, it } from 'vitest';
import { pagesIn } from './ogg';
import { PageIndex, lastGranule, seekPage, type ByteReader } from './oggseek';
import { fakeOpusStream, mux, opusHead, opusTags, type MuxPacket } from './testing/oggmux';

/** Reads from memory and counts reads (the seek must not scan the file). */
function memory(bytes: Uint8Array) {
	const r: ByteReader & { reads: number; bytesRead: number; segments: Set<number> } = {
		size: bytes.length,
		reads: 0,
		bytesRead: 0,
		// The 64 kB segments the player's SegmentedFile would fetch for these reads.
		segments: new Set(),
		async read(start, end) {
			r.reads++;
			for (let s = Math.floor(start / 65536); s <= Math.floor((Math.min(end, bytes.length) - 1) / 65536); s++) r.segments.add(s);
			r.bytesRead += Math.min(end, bytes.length) - start;
			return bytes.subarray(start, end);
		}
	};
	return r;
}

describe('seekPage', () => {
	// ~2000 packets of 400 bytes: 800 kB, 40 s.
	const stream = fakeOpusStream(2000, { size: 400, maxSegments: 10 });
	const pages = pagesIn(stream);
	const headerEnd = pages[1];

	it('finds the last page with granule <= target, for many targets', async () => {
		for (const target of [0, 1, 959, 960, 5000, 123456, 960 * 1000 + 7, 960 * 1999, 960 * 2000, 10 ** 9]) {
			const file = memory(stream);
			const got = await seekPage(file, target, { offset: headerEnd.offset, granule: 0 }, stream.length, 960 * 2000, 4096);
			const want = pages.filter((p) => p.granule >= 0 && p.granule <= target).pop()!;
			expect(got.granule, `target ${target}`).toBe(Math.max(want.granule, 0));
			if (want.granule > 0) expect(got.offset).toBe(want.offset);
			expect(file.bytesRead).toBeLessThan(stream.length / 4);
		}
	});

	it('needs few reads when the bitrate is steady', async () => {
		const file = memory(stream);
		await seekPage(file, 960 * 1234, { offset: headerEnd.offset, granule: 0 }, stream.length, 960 * 2000, 4096);
		expect(file.reads).toBeLessThanOrEqual(8);
	});

	it('on a long file with a steady bitrate a seek fetches two or three segments, not a walk in eighths', async () => {
		// ~40000 packets: 16 MB, 13 minutes; 16 kB probes as the player uses.
		const long = fakeOpusStream(40000, { size: 400, maxSegments: 10 });
		const longPages = pagesIn(long);
		const fetched: number[] = [];
		for (const target of [960 * 1234, 960 * 21000, 960 * 39000]) {
			const file = memory(long);
			const got = await seekPage(file, target, { offset: longPages[1].offset, granule: 0 }, long.length, 960 * 40000, 16 * 1024);
			expect(got.granule).toBe(longPages.filter((p) => p.granule >= 0 && p.granule <= target).pop()!.granule);
			fetched.push(file.segments.size);
		}
		expect(Math.max(...fetched), `64 kB segments per seek: ${fetched.join(', ')}`).toBeLessThanOrEqual(3);
	});

	it('with the pages seen kept, a seek near an earlier one reads at most a segment, one between known pages none', async () => {
		const long = fakeOpusStream(40000, { size: 400, maxSegments: 10 });
		const longPages = pagesIn(long);
		const start = { offset: longPages[1].offset, granule: 0 };
		const index = new PageIndex();
		const seek = async (target: number) => {
			const file = memory(long);
			const got = await seekPage(file, target, start, long.length, 960 * 40000, 65536, index);
			expect(got.granule).toBe(longPages.filter((p) => p.granule >= 0 && p.granule <= target).pop()!.granule);
			return file.reads;
		};
		const first = await seek(960 * 21000);
		expect(first).toBeGreaterThan(0);
		// 30 s later: the window is known on one side, interpolation lands on it.
		expect(await seek(960 * 22500)).toBeLessThanOrEqual(2);
		// Between pages the first seek read: nothing to fetch.
		expect(await seek(960 * 21000 + 5000)).toBe(0);
		expect(await seek(960 * 20990)).toBe(0);
	});

	it('converges on an uneven bitrate (a quiet half, then a loud one)', async () => {
		const packets: MuxPacket[] = [
			{ data: opusHead(), granule: 0 },
			{ data: opusTags(), granule: 0 }
		];
		for (let i = 0; i < 20000; i++) {
			const d = new Uint8Array(i < 10000 ? 60 : 700);
			d[0] = 0xfc;
			packets.push({ data: d, granule: (i + 1) * 960 });
		}
		const stream = mux(packets, { flushAfter: [0, 1], maxSegments: 30 });
		const all = pagesIn(stream);
		const reads: number[] = [];
		for (const target of [960 * 100, 960 * 9990, 960 * 10010, 960 * 15000, 960 * 19999]) {
			const file = memory(stream);
			const got = await seekPage(file, target, { offset: all[1].offset, granule: 0 }, stream.length, 960 * 20000, 65536);
			expect(got.granule, `target ${target}`).toBe(all.filter((p) => p.granule >= 0 && p.granule <= target).pop()!.granule);
			reads.push(file.reads);
		}
		expect(Math.max(...reads), `reads per seek: ${reads.join(', ')}`).toBeLessThanOrEqual(8);
	});

	it('reads the last granule from the tail', async () => {
		const s = fakeOpusStream(500, { trim: 100 });
		expect(await lastGranule(memory(s))).toBe(500 * 960 - 100);
	});
});
