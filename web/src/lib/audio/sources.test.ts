// The WAV source needs no browser decoder: read a real WAV through Range segments.
import { describe, expect, it } from 'vitest';
import { SegmentCache, SegmentedFile } from './segments';
import { WavSource } from './sources';
import { encodeWav } from './wav';

function wavFile(frames: number) {
	const l = Float32Array.from({ length: frames }, (_, i) => ((i % 2000) - 1000) / 1024);
	const r = Float32Array.from({ length: frames }, (_, i) => -((i % 2000) - 1000) / 1024);
	const bytes = encodeWav([l, r], 44100);
	const ranges: [number, number][] = [];
	const file = new SegmentedFile(
		'mem.wav',
		bytes.length,
		async (s, e) => {
			ranges.push([s, e]);
			return bytes.slice(s, e);
		},
		new SegmentCache(),
		8192
	);
	return { file, ranges, l, r };
}

describe('WavSource', () => {
	it('reads contiguous blocks from any frame, exactly', async () => {
		const frames = 200_000;
		const { file, l, r } = wavFile(frames);
		const src = new WavSource(file);
		await src.open();
		expect(src.sampleRate).toBe(44100);
		expect(src.channelCount).toBe(2);
		expect(src.frames).toBe(frames);
		for (const from of [0, 1, 12_345, 199_999]) {
			src.seek(from);
			let at = from;
			for (;;) {
				const b = await src.next();
				if (!b) break;
				expect(b.start).toBe(at);
				// 16-bit: within half a step of the original.
				for (const i of [0, b.frames - 1]) {
					expect(Math.abs(b.channels[0][i] - l[at + i])).toBeLessThan(1 / 32768 + 1e-6);
					expect(Math.abs(b.channels[1][i] - r[at + i])).toBeLessThan(1 / 32768 + 1e-6);
				}
				at += b.frames;
			}
			expect(at).toBe(frames);
		}
	});

	it('reads only what it plays (Range segments)', async () => {
		const { file, ranges } = wavFile(200_000); // 800 kB
		const src = new WavSource(file);
		await src.open();
		src.seek(150_000);
		await src.next();
		const read = ranges.reduce((n, [s, e]) => n + e - s, 0);
		expect(read).toBeLessThan(300_000);
	});

	it('a seek during a read wins', async () => {
		const { file } = wavFile(100_000);
		const src = new WavSource(file);
		await src.open();
		src.seek(0);
		const pending = src.next();
		src.seek(50_000);
		expect((await pending)!.start).toBe(0);
		expect((await src.next())!.start).toBe(50_000);
	});
});
