import { describe, expect, it } from 'vitest';
import { pagesIn } from './ogg';
import { lastGranule, seekPage, type ByteReader } from './oggseek';
import { fakeOpusStream } from './testing/oggmux';

/** Reads from memory and counts reads (the seek must not scan the file). */
function memory(bytes: Uint8Array) {
	const r: ByteReader & { reads: number; bytesRead: number } = {
		size: bytes.length,
		reads: 0,
		bytesRead: 0,
		async read(start, end) {
			r.reads++;
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

	it('reads the last granule from the tail', async () => {
		const s = fakeOpusStream(500, { trim: 100 });
		expect(await lastGranule(memory(s))).toBe(500 * 960 - 100);
	});
});
