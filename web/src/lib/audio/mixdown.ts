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

/** Timeline frames of input each "as heard" section starts early (the stretch settles). */
const PREROLL_SECONDS = 1;

/**
 * Like renderMixdown, but "as heard": at `speed` with the pitch stage shifting by
 * `semitones` (see player.ts). Each section renders the stems at playbackRate = speed
 * through signalsmith-stretch in an OfflineAudioContext, with a second of the audio
 * before it as pre-roll (so the stretch has settled) and its latency cut off; sections
 * follow one another on the output frame grid, so the file lasts (to − from) / speed.
 */
export async function renderMixdownAsHeard(
	stems: MixdownStem[],
	sampleRate: number,
	from: number,
	to: number,
	masterGain: number,
	speed: number,
	semitones: number,
	onprogress: (p: number) => void = () => {}
): Promise<Blob> {
	const { createStretch } = await import('./stretch');
	const heard = stems.filter((s) => s.gain > 0);
	for (const s of heard) s.source.seek(from);
	const readers = heard.map((s) => new SectionReader(s.source, 2));
	const totalIn = Math.max(0, to - from);
	const totalOut = Math.round(totalIn / speed);
	let out = new Blob([wavHeader(totalOut, 2, sampleRate) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' });
	const pre = Math.round(PREROLL_SECONDS * sampleRate);
	// Per stem, the input read so far that a later section still needs: [winStart, winEnd).
	const wins: { start: number; data: Float32Array[] }[] = heard.map(() => ({ start: from, data: [new Float32Array(0), new Float32Array(0)] }));
	const sectionIn = SECTION * sampleRate;
	let latency = -1;
	for (let a = from; a < to; a += sectionIn) {
		const b = Math.min(to, a + sectionIn);
		const oA = Math.round((a - from) / speed);
		const oB = b === to ? totalOut : Math.round((b - from) / speed);
		// A throwaway context tells the stretch's latency (the same for every section).
		if (latency < 0) {
			const probe = new OfflineAudioContext(2, 128, sampleRate);
			const n = await createStretch(probe);
			latency = Math.round((await n.latency()) * sampleRate);
		}
		const inStart = Math.max(from, a - pre);
		// Input past b that the stretch looks at while producing the section's last frames.
		const inEnd = b + Math.ceil(latency * speed) + 1024;
		// Frame of the render at which timeline frame from + oA·speed is heard, before the
		// stretch; the sources start a fraction of a frame in so that it is a whole frame.
		const k = Math.ceil((a - inStart) / speed) + 1;
		const s0 = k - (a - inStart) / speed - (oA - (a - from) / speed);
		const frames = k + latency + (oB - oA) + 128;
		const ctx = new OfflineAudioContext(2, frames, sampleRate);
		const stretch = await createStretch(ctx);
		await stretch.schedule({ active: true, semitones, output: 0 });
		const bus = new GainNode(ctx, { gain: masterGain });
		bus.connect(stretch).connect(ctx.destination);
		for (let i = 0; i < heard.length; i++) {
			const w = wins[i];
			const have = w.start + w.data[0].length;
			const fresh = inEnd > have ? await readers[i].read(have, inEnd - have) : [new Float32Array(0), new Float32Array(0)];
			const data = [0, 1].map((c) => {
				const all = new Float32Array(w.data[c].length + fresh[c].length);
				all.set(w.data[c]);
				all.set(fresh[c], w.data[c].length);
				return all.subarray(inStart - w.start, inEnd - w.start);
			});
			const keep = Math.max(from, b - pre);
			wins[i] = { start: keep, data: data.map((d) => d.slice(keep - inStart)) };
			const buffer = new AudioBuffer({ length: data[0].length, numberOfChannels: 2, sampleRate });
			data.forEach((c, ch) => buffer.copyToChannel(c as Float32Array<ArrayBuffer>, ch));
			const node = new AudioBufferSourceNode(ctx, { buffer, playbackRate: speed });
			node.connect(new GainNode(ctx, { gain: heard[i].gain })).connect(bus);
			node.start(s0 / sampleRate);
		}
		const rendered = await ctx.startRendering();
		const n = oB - oA;
		const at = k + latency;
		const pcm = floatTo16([rendered.getChannelData(0).subarray(at, at + n), rendered.getChannelData(1).subarray(at, at + n)], n) as Uint8Array<ArrayBuffer>;
		out = new Blob([out, pcm], { type: 'audio/wav' });
		onprogress(Math.min(1, (b - from) / Math.max(1, totalIn)));
	}
	if (totalIn === 0) onprogress(1);
	return out;
}
