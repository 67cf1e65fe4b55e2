// The metronome click: two short blips (a higher, louder one for downbeats) rendered
// once, started on the context clock. It goes to the speakers on its own fader, after
// the pitch stage, so it is never pitch-shifted.

const BLIP = 0.035;

function blip(ctx: BaseAudioContext, hz: number, amp: number): AudioBuffer {
	const n = Math.round(BLIP * ctx.sampleRate);
	const buffer = new AudioBuffer({ length: n, numberOfChannels: 1, sampleRate: ctx.sampleRate });
	const d = buffer.getChannelData(0);
	for (let i = 0; i < n; i++) {
		const t = i / ctx.sampleRate;
		// A 1 ms attack (no click of its own) and a quick exponential decay.
		d[i] = amp * Math.min(1, t / 0.001) * Math.exp(-t / 0.008) * Math.sin(2 * Math.PI * hz * t);
	}
	return buffer;
}

export class Click {
	/** The level of the click and the count-in. */
	readonly fader: GainNode;
	/** The beat clicks (the click on/off); the count-in bypasses it. */
	readonly beats: GainNode;
	private accent: AudioBuffer;
	private beat: AudioBuffer;
	private live = new Set<AudioBufferSourceNode>();
	/** The clicks that have sounded, at context times (newest last; the tests read it). */
	readonly log: { at: number; accent: boolean; countIn: boolean; heard: boolean }[] = [];

	constructor(private ctx: BaseAudioContext, destination: AudioNode) {
		this.fader = new GainNode(ctx, { gain: 1 });
		this.fader.connect(destination);
		this.beats = new GainNode(ctx, { gain: 0 });
		this.beats.connect(this.fader);
		this.accent = blip(ctx, 1760, 0.9);
		this.beat = blip(ctx, 1175, 0.55);
	}

	/** Schedules one click at context time `at` (seconds); a count-in click sounds even with the click off. */
	at(at: number, accent: boolean, countIn: boolean) {
		if (at < this.ctx.currentTime) return;
		const node = new AudioBufferSourceNode(this.ctx, { buffer: accent ? this.accent : this.beat });
		node.connect(countIn ? this.fader : this.beats);
		node.onended = () => {
			node.disconnect();
			if (this.live.delete(node)) {
				this.log.push({ at, accent, countIn, heard: countIn || this.beats.gain.value > 0 });
				if (this.log.length > 512) this.log.splice(0, 256);
			}
		};
		this.live.add(node);
		node.start(at);
	}

	/** Cancels every click not yet sounded. */
	stop() {
		for (const n of this.live) {
			try {
				n.stop();
			} catch {
				/* not started */
			}
			n.disconnect();
		}
		this.live.clear();
	}
}
