// The parsers against real files written by the server (see fixtures/README.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OggPacketReader, pagesIn } from './ogg';
import { lastGranule, seekPage, type ByteReader } from './oggseek';
import { OpusPacketClock, OPUS_RATE, isOpusTags, parseOpusHead, type TimedPacket } from './opus';
import { parsePeaks, peaksDuration } from './peaks';

const fixture = (name: string) =>
	new Uint8Array(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))));
const opus = fixture('drums.opus');

function memory(bytes: Uint8Array): ByteReader & { reads: number } {
	const r = { size: bytes.length, reads: 0, read: async (s: number, e: number) => (r.reads++, bytes.subarray(s, e)) };
	return r;
}

describe('a real Ogg Opus stem', () => {
	const pages = pagesIn(opus);
	const all = new OggPacketReader().push(opus);
	const head = parseOpusHead(all[0].packets[0]);

	it('is a chain of valid pages from start to end', () => {
		expect(pages[0].bos).toBe(true);
		expect(pages[pages.length - 1].eos).toBe(true);
		const covered = pages.reduce((n, p) => n + p.length, 0);
		expect(covered).toBe(opus.length);
		pages.forEach((p, i) => expect(p.sequence).toBe(i));
	});

	it('has the headers the server writes', () => {
		expect(head.channels).toBe(2);
		expect(head.preSkip).toBeGreaterThan(0);
		expect(isOpusTags(all[1].packets[0])).toBe(true);
	});

	it('times every packet contiguously up to the last granule, which is 4 s + pre-skip', async () => {
		const clock = new OpusPacketClock(null);
		const timed: TimedPacket[] = all.flatMap((p) => clock.page(p));
		let at = 0;
		for (const p of timed) {
			expect(p.start).toBe(at);
			at += p.samples;
		}
		const end = timed[timed.length - 1];
		expect(end.start + end.keep).toBe(pages[pages.length - 1].granule);
		expect(await lastGranule(memory(opus))).toBe(4 * OPUS_RATE + head.preSkip);
	});

	it('seeks to the right page with a few small reads', async () => {
		const tags = all.findIndex((p) => p.packets.some(isOpusTags));
		const start = { offset: all[tags].streamOffset, granule: 0 };
		for (const target of [1, 20_000, 96_000, 150_000, 191_000]) {
			const file = memory(opus);
			const got = await seekPage(file, target, start, opus.length, 4 * OPUS_RATE, 2048);
			const want = pages.filter((p) => p.granule >= 0 && p.granule <= target).pop()!;
			expect(got.granule).toBe(want.granule);
			// Decoding from there yields the packet that holds the target.
			const clock = new OpusPacketClock(null);
			const timed = new OggPacketReader(got.offset).push(opus.subarray(got.offset)).flatMap((p) => clock.page(p));
			expect(timed[0].start).toBeLessThanOrEqual(Math.max(target, timed[0].start));
			expect(timed.some((p) => p.start <= target && target < p.start + p.samples)).toBe(true);
		}
	});
});

describe('real waveform peaks', () => {
	it('cover the stem at 100 peaks per second', () => {
		const p = parsePeaks(fixture('drums.peaks'));
		expect(p.sampleRate / p.framesPerPeak).toBe(100);
		expect(peaksDuration(p)).toBeCloseTo(4, 1);
		const loudest = Math.max(...Array.from(p.data, Math.abs));
		expect(loudest).toBeGreaterThan(10);
		expect(loudest).toBeLessThanOrEqual(127);
	});
});
