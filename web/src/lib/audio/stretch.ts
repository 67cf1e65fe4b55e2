// The pitch stage of the practice tempo: the sources already play at `speed`
// (playbackRate, on the context clock, so every stem stays on one grid); this stage
// shifts the whole mix's pitch back by 12·log2(speed), plus the transposition.
//
// Why signalsmith-stretch: a modern phase-vocoder stretcher with very good quality on
// polyphonic music (better transients and less "phasiness" than SoundTouch's WSOLA in
// soundtouchjs), MIT-licensed (Rubber Band — rubberband-wasm — is GPL, which this
// project cannot ship), maintained by its author, compiled to WASM and shipped with its
// own AudioWorklet, so it runs off the main thread, also in an OfflineAudioContext (the
// "as heard" mixdown). One stereo node on the mix costs far less than one per stem.
//
// At speed 1 without transposition the stage is bypassed: the mix goes straight
// through, with no latency and bit-identical to playing without it.

import type { StretchNode } from 'signalsmith-stretch';

/** Loads the worklet (once per context) and makes a stereo stretch node in live mode. */
export async function createStretch(ctx: BaseAudioContext): Promise<StretchNode> {
	const { default: SignalsmithStretch } = await import('signalsmith-stretch');
	const node = await SignalsmithStretch(ctx, {
		numberOfInputs: 1,
		numberOfOutputs: 1,
		outputChannelCount: [2],
		channelCount: 2,
		channelCountMode: 'explicit'
	});
	return node;
}

/**
 * Between `input` (the master) and `output` (the master meter and the speakers): either
 * a plain connection, or the stretch node. `latency` is what the stretch delays the mix
 * by (0 when bypassed): the player shifts its play head and the click by it.
 */
export class PitchStage {
	private node: StretchNode | null = null;
	private loading: Promise<StretchNode> | null = null;
	private engaged = false;
	latency = 0;
	semitones = 0;

	constructor(
		private ctx: BaseAudioContext,
		private input: AudioNode,
		private output: AudioNode
	) {
		input.connect(output);
	}

	get active(): boolean {
		return this.engaged;
	}

	/** Loads the stretch ahead of time (so the first tempo change is quick). */
	private load(): Promise<StretchNode> {
		this.loading ??= createStretch(this.ctx).then(async (n) => {
			this.node = n;
			this.latency = await n.latency();
			return n;
		});
		return this.loading;
	}

	/**
	 * Engages (with a shift in semitones) or bypasses (null) the stretch. `when`: the
	 * context time from which the new shift should be heard.
	 */
	async set(shift: number | null, when = this.ctx.currentTime): Promise<void> {
		if (shift === null) {
			if (!this.engaged) return;
			this.engaged = false;
			const n = this.node!;
			this.input.disconnect(n);
			n.disconnect();
			this.input.connect(this.output);
			await n.stop();
			return;
		}
		const n = await this.load();
		this.semitones = shift;
		await n.schedule({ active: true, semitones: shift, output: when });
		if (!this.engaged) {
			this.engaged = true;
			this.input.disconnect(this.output);
			this.input.connect(n).connect(this.output);
		}
	}

	/** The latency to allow for when the stage is engaged (0 when bypassed). */
	get delay(): number {
		return this.engaged ? this.latency : 0;
	}

	close() {
		this.node?.disconnect();
	}
}
