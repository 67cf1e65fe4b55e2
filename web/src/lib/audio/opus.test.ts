import { describe, expect, it } from 'vitest';
import { OggPacketReader, pagesIn } from './ogg';
import { OpusPacketClock, packetSamples, parseOpusHead, withoutPreSkip, type TimedPacket } from './opus';
import { fakeOpusStream, opusHead, packetNumber } from './testing/oggmux';

describe('packetSamples', () => {
	it('reads frame sizes and counts from the TOC byte', () => {
		expect(packetSamples(Uint8Array.of(0xfc))).toBe(960); // CELT 20 ms, 1 frame
		expect(packetSamples(Uint8Array.of((16 << 3) | 0))).toBe(120); // CELT 2.5 ms
		expect(packetSamples(Uint8Array.of((3 << 3) | 0))).toBe(2880); // SILK 60 ms
		expect(packetSamples(Uint8Array.of((13 << 3) | 1))).toBe(1920); // Hybrid 20 ms × 2
		expect(packetSamples(Uint8Array.of((31 << 3) | 3, 3))).toBe(2880); // 3 × 20 ms
		expect(packetSamples(new Uint8Array(0))).toBe(0);
	});
});

describe('parseOpusHead', () => {
	it('reads channels, pre-skip and rate', () => {
		const h = parseOpusHead(opusHead(2, 312, 44100));
		expect(h).toMatchObject({ channels: 2, preSkip: 312, inputSampleRate: 44100, outputGainDb: 0, mappingFamily: 0 });
		const copy = parseOpusHead(withoutPreSkip(h));
		expect(copy.preSkip).toBe(0);
		expect(h.preSkip).toBe(312);
	});
	it('refuses other packets', () => {
		expect(() => parseOpusHead(new Uint8Array(20))).toThrow();
	});
});

function timed(stream: Uint8Array, from: number, start: number | null): TimedPacket[] {
	const clock = new OpusPacketClock(start);
	return new OggPacketReader(from).push(stream.subarray(from)).flatMap((p) => clock.page(p));
}

describe('OpusPacketClock', () => {
	it('places packets from the start of the stream, skipping the headers', () => {
		const stream = fakeOpusStream(30, { size: 300, maxSegments: 4 });
		const out = timed(stream, 0, 0);
		expect(out.length).toBe(30);
		out.forEach((p, i) => {
			expect(packetNumber(p.data)).toBe(i);
			expect(p.start).toBe(i * 960);
			expect(p.keep).toBe(960);
		});
	});

	it('trims the end from the last page granule', () => {
		const out = timed(fakeOpusStream(10, { trim: 500 }), 0, 0);
		expect(out[9].keep).toBe(460);
		expect(out.slice(0, 9).every((p) => p.keep === 960)).toBe(true);
	});

	it('starts mid-stream after the first page with a granule position', () => {
		const stream = fakeOpusStream(60, { size: 500, maxSegments: 5 });
		for (const page of pagesIn(stream).slice(2, -1)) {
			const out = timed(stream, page.offset, null);
			expect(out.length).toBeGreaterThan(0);
			// Every packet sits exactly where its number says.
			for (const p of out) expect(p.start).toBe(packetNumber(p.data) * 960);
			expect(packetNumber(out[out.length - 1].data)).toBe(59);
		}
	});
});
