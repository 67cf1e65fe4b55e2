import { describe, expect, it } from 'vitest';
import { SectionReader } from './mixdown';
import type { PcmBlock, StemSource } from './sources';

/** A source over a known ramp, in blocks of `block` frames (the StemSource contract). */
class RampSource implements StemSource {
	readonly kind = 'ramp';
	readonly sampleRate = 48000;
	readonly channelCount = 2;
	private pos = 0;
	constructor(
		readonly frames: number,
		private block: number
	) {}
	async open() {}
	seek(frame: number) {
		this.pos = frame;
	}
	async next(): Promise<PcmBlock | null> {
		if (this.pos >= this.frames) return null;
		const start = this.pos;
		const frames = Math.min(this.block, this.frames - start);
		this.pos += frames;
		const l = Float32Array.from({ length: frames }, (_, i) => start + i);
		const r = Float32Array.from({ length: frames }, (_, i) => -(start + i));
		return { start, frames, channels: [l, r] };
	}
	close() {}
}

describe('SectionReader', () => {
	it('cuts blocks into exact consecutive sections, zero-padded at the end', async () => {
		for (const block of [7, 100, 1000]) {
			const src = new RampSource(250, block);
			src.seek(10);
			const r = new SectionReader(src, 2);
			const a = await r.read(10, 64);
			const b = await r.read(74, 64);
			const c = await r.read(138, 200);
			expect([...a[0]]).toEqual(Array.from({ length: 64 }, (_, i) => 10 + i));
			expect([...b[1]]).toEqual(Array.from({ length: 64 }, (_, i) => -(74 + i)));
			expect(c[0][250 - 138 - 1]).toBe(249);
			expect(c[0][250 - 138]).toBe(0);
			expect(c[0].length).toBe(200);
		}
	});

	it('duplicates a mono source to both channels', async () => {
		const mono: StemSource = {
			kind: 'mono',
			sampleRate: 48000,
			channelCount: 1,
			frames: 4,
			open: async () => {},
			seek: () => {},
			next: (() => {
				let done = false;
				return async () => {
					if (done) return null;
					done = true;
					return { start: 0, frames: 4, channels: [Float32Array.of(1, 2, 3, 4)] };
				};
			})(),
			close: () => {}
		};
		const [l, r] = await new SectionReader(mono, 2).read(0, 4);
		expect([...l]).toEqual([1, 2, 3, 4]);
		expect([...r]).toEqual([1, 2, 3, 4]);
	});
});
