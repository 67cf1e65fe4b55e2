// Mixdown of the current fader settings, rendered in the browser: the stems are read
// section by section (so an hour-long recording never sits decoded in memory), each
// section is mixed by an OfflineAudioContext and appended to a 16-bit WAV.

import type { PcmBlock, StemSource } from './sources';
import { floatTo16, wavHeader } from './wav';

/** Seconds per rendered section. */
const SECTION = 30;

/** Reads consecutive frames from a source into fixed-size buffers. */
export class SectionReader {
	private carry: PcmBlock | null = null;
	private done = false;

	constructor(
		private source: StemSource,
		private channels: number
	) {}

	/** The next `frames` frames (zero-padded after the end). */
	async read(from: number, frames: number): Promise<Float32Array[]> {
		const out = Array.from({ length: this.channels }, () => new Float32Array(frames));
		let filled = 0;
		while (filled < frames) {
			if (!this.carry) {
				if (this.done) break;
				this.carry = await this.source.next();
				if (!this.carry) {
					this.done = true;
					break;
				}
			}
			const b = this.carry;
			const skip = Math.max(0, from + filled - b.start);
			const n = Math.min(frames - filled, b.frames - skip);
			if (n > 0) {
				for (let c = 0; c < this.channels; c++) {
					out[c].set(b.channels[Math.min(c, b.channels.length - 1)].subarray(skip, skip + n), filled);
				}
				filled += n;
			}
			if (skip + Math.max(n, 0) >= b.frames) this.carry = null;
		}
		return out;
	}
}

export interface MixdownStem {
	source: StemSource;
	/** Linear gain (fader, loudness offset, mute/solo already applied). */
	gain: number;
}

/**
 * Renders [from, to) frames of the mix to a WAV blob. Sources must be fresh (they are
 * seeked and read to the end); `onprogress` gets 0..1.
 */
export async function renderMixdown(
	stems: MixdownStem[],
	sampleRate: number,
	from: number,
	to: number,
	masterGain: number,
	onprogress: (p: number) => void = () => {},
	signal?: AbortSignal
): Promise<Blob> {
	const total = Math.max(0, to - from);
	const heard = stems.filter((s) => s.gain > 0);
	for (const s of heard) s.source.seek(from);
	const readers = heard.map((s) => new SectionReader(s.source, 2));
	// Grown section by section: the browser keeps blob data out of the JS heap (and can
	// spill it to disk), so an hour-long mixdown does not sit in memory twice.
	let out = new Blob([wavHeader(total, 2, sampleRate) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' });
	const sectionFrames = SECTION * sampleRate;
	for (let at = 0; at < total; at += sectionFrames) {
		signal?.throwIfAborted();
		const frames = Math.min(sectionFrames, total - at);
		const ctx = new OfflineAudioContext(2, frames, sampleRate);
		const bus = new GainNode(ctx, { gain: masterGain });
		bus.connect(ctx.destination);
		for (let i = 0; i < heard.length; i++) {
			const data = await readers[i].read(from + at, frames);
			const buffer = new AudioBuffer({ length: frames, numberOfChannels: 2, sampleRate });
			data.forEach((c, ch) => buffer.copyToChannel(c as Float32Array<ArrayBuffer>, ch));
			const node = new AudioBufferSourceNode(ctx, { buffer });
			node.connect(new GainNode(ctx, { gain: heard[i].gain })).connect(bus);
			node.start(0);
		}
		const rendered = await ctx.startRendering();
		const pcm = floatTo16([rendered.getChannelData(0), rendered.getChannelData(1)], frames) as Uint8Array<ArrayBuffer>;
		out = new Blob([out, pcm], { type: 'audio/wav' });
		onprogress(Math.min(1, (at + frames) / total));
	}
	if (total === 0) onprogress(1);
	return out;
}
