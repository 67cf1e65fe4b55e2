// The multitrack player: one AudioContext, one streaming source per stem, every block
// scheduled on the context clock at a frame computed from its timeline position, so
// all stems start and stay sample-synchronous. Gains, mute and solo are GainNodes;
// meters read AnalyserNodes.
//
//   source blocks → AudioBufferSourceNode → fader → analyser (stem meter) ┐
//              master ← ──────────────────────────────────────────────────┘
//              master → [pitch stage] → analyser → out
//   click blips → click fader ─────────────────────────────────────────────→ out
//
// Practice tempo: the sources play at playbackRate = speed and the schedule counts
// 1/speed context frames per timeline frame (schedule.ts), so the stems stay on one
// grid and the play head, loops and takes follow; the pitch stage (stretch.ts) puts the
// pitch back (and transposes). It is bypassed at speed 1 without transposition. While
// engaged it delays the mix by its latency: the play head and the click allow for it.

import { clamp, dbToGain, stemGains, type StemMix } from './gain';
import { Program, catchUp, place, startFrame, type Loop, type Span } from './schedule';
import { Click } from './click';
import { PitchStage } from './stretch';
import {
	NEUTRAL,
	clickTimes,
	countIn,
	countInSeconds,
	gridAt,
	isNeutral,
	shiftSemitones,
	ticksIn,
	type Grid,
	type Practice,
	type Tick
} from './practice';
import { SegmentCache } from './segments';
import { createSource, type Decoding, type PcmBlock, type StemFile, type StemSource } from './sources';

/** Seconds of audio scheduled ahead of the play head. */
const LOOKAHEAD = 4;
/** Seconds between "press play" and the first frame when the context has just started. */
const START_LEAD = 0.08;
/**
 * When the context is already running (a seek, a play after a pause), the first blocks
 * are decoded before the start frame is picked and every stem's first piece is scheduled
 * in the same task: the lead only has to outrun the audio thread, which renders
 * `baseLatency` at a time (1024 frames in Chromium's 'playback' mode), plus this.
 */
const RUNNING_MARGIN = 0.008;
/** Gain changes glide over this time constant (no clicks). */
const SMOOTH = 0.015;

export type PlayerState = 'loading' | 'ready' | 'starting' | 'playing' | 'paused' | 'error';

interface Track {
	file: StemFile;
	source: StemSource;
	fader: GainNode;
	analyser: AnalyserNode;
	live: Set<AudioBufferSourceNode>;
	/** Context frame up to which audio is scheduled. */
	scheduledUntil: number;
}

export interface Level {
	rmsDb: number;
	peakDb: number;
}

function sleep(ms: number) {
	return new Promise((r) => setTimeout(r, ms));
}

export class Player {
	readonly ctx: AudioContext;
	readonly sampleRate: number;
	private tracks: Track[] = [];
	private master: GainNode;
	private masterAnalyser: AnalyserNode;
	private cache = new SegmentCache();
	private program: Program | null = null;
	private generation = 0;
	private pausedAt = 0;
	private loopRegion: Loop | null = null;
	private scratch = new Float32Array(2048);
	private stage: PitchStage;
	private practiceNow: Practice = NEUTRAL;
	readonly click: Click;
	private ticks: Tick[] = [];
	private grids: (Grid & { startSeconds: number; endSeconds: number })[] = [];
	private countInOn = false;
	private probeNode: AnalyserNode | null = null;
	/** A suspend of the idle context under way (see idleWhenPaused). */
	private suspending: Promise<void> | null = null;
	state: PlayerState = 'loading';
	error: string | null = null;
	/** Called on state changes (not on every clock tick). */
	onchange: () => void = () => {};

	readonly decoding: Decoding;

	constructor(files: StemFile[], opts: { context?: AudioContext; decoding?: Decoding } = {}) {
		this.decoding = opts.decoding ?? 'auto';
		const rate = files[0]?.format === 'opus' ? 48000 : (files[0]?.sampleRate ?? 48000);
		this.ctx = opts.context ?? new AudioContext({ sampleRate: rate, latencyHint: 'playback' });
		this.sampleRate = this.ctx.sampleRate;
		this.master = new GainNode(this.ctx);
		this.masterAnalyser = new AnalyserNode(this.ctx, { fftSize: 2048, smoothingTimeConstant: 0 });
		this.masterAnalyser.connect(this.ctx.destination);
		this.stage = new PitchStage(this.ctx, this.master, this.masterAnalyser);
		this.click = new Click(this.ctx, this.ctx.destination);
		this.filesToLoad = files;
	}

	private filesToLoad: StemFile[];

	/** Opens every stem (headers, lengths); call once. */
	async load(): Promise<void> {
		try {
			this.tracks = await Promise.all(
				this.filesToLoad.map(async (file) => {
					const source = await createSource(file, this.cache, this.sampleRate, this.decoding);
					const fader = new GainNode(this.ctx);
					const analyser = new AnalyserNode(this.ctx, { fftSize: 2048, smoothingTimeConstant: 0 });
					fader.connect(analyser).connect(this.master);
					return { file, source, fader, analyser, live: new Set<AudioBufferSourceNode>(), scheduledUntil: 0 };
				})
			);
			this.setState('ready');
		} catch (e) {
			this.fail(e);
		}
	}

	private setState(s: PlayerState) {
		this.state = s;
		this.onchange();
	}

	private fail(e: unknown) {
		this.error = e instanceof Error ? e.message : String(e);
		console.error('player:', e);
		this.stopSources();
		this.generation++;
		this.setState('error');
	}

	/** How the stems are read and decoded (e.g. "opus · WebCodecs"). */
	get sourceKind(): string {
		return [...new Set(this.tracks.map((t) => t.source.kind))].join(', ');
	}

	/** Length in frames: the longest stem. */
	get frames(): number {
		return Math.max(0, ...this.tracks.map((t) => t.source.frames));
	}

	get duration(): number {
		return this.frames / this.sampleRate;
	}

	get playing(): boolean {
		return this.state === 'playing' || this.state === 'starting';
	}

	/** The play head in seconds (what is heard now: the pitch stage's delay allowed for). */
	get currentTime(): number {
		if (this.program && this.state === 'playing') {
			const frame = (this.ctx.currentTime - this.stage.delay) * this.sampleRate;
			return this.program.positionAt(frame) / this.sampleRate;
		}
		return this.pausedAt / this.sampleRate;
	}

	get practice(): Practice {
		return this.practiceNow;
	}

	/** Seconds the pitch stage delays the mix by (0 when bypassed). */
	get stretchLatency(): number {
		return this.stage.delay;
	}

	/**
	 * Sets tempo and transposition. A new speed (or engaging / bypassing the stage)
	 * re-schedules from the play head, like a seek; a new transposition at the same
	 * speed only retunes the stage.
	 */
	async setPractice(p: Practice): Promise<void> {
		const prev = this.practiceNow;
		this.practiceNow = p;
		const shift = isNeutral(p) ? null : shiftSemitones(p);
		const restart = this.playing && (p.speed !== prev.speed || isNeutral(p) !== isNeutral(prev));
		if (!restart) {
			await this.stage.set(shift);
			if (!this.playing) this.idleWhenPaused();
			this.onchange();
			return;
		}
		const at = Math.round(this.currentTime * this.sampleRate);
		this.halt();
		await this.stage.set(shift);
		await this.startAt(at);
	}

	/** The takes' beat grids, for the click, the count-in and loop snapping. */
	setGrid(ticks: Tick[], grids: (Grid & { startSeconds: number; endSeconds: number })[]) {
		this.ticks = ticks;
		this.grids = grids;
	}

	/** The click on/off and its level (linear gain). */
	setClick(on: boolean, gain: number) {
		this.glide(this.click.beats.gain, on ? 1 : 0);
		this.glide(this.click.fader.gain, gain);
	}

	/** Count-in: a bar of clicks before playback starts and before each loop repeat. */
	async setCountIn(on: boolean): Promise<void> {
		if (on === this.countInOn) return;
		this.countInOn = on;
		// The loop's repeats change (a gap or none): re-schedule, without a count-in now.
		if (this.playing && this.loopRegion) {
			const at = Math.round(this.currentTime * this.sampleRate);
			this.halt();
			await this.startAt(at);
		}
	}

	/** A large-FFT analyser on what is heard (after the pitch stage), for measurements. */
	probe(): AnalyserNode {
		if (!this.probeNode) {
			this.probeNode = new AnalyserNode(this.ctx, { fftSize: 32768, smoothingTimeConstant: 0 });
			this.masterAnalyser.connect(this.probeNode);
		}
		return this.probeNode;
	}

	get loop(): Loop | null {
		return this.loopRegion;
	}

	async play(): Promise<void> {
		if (this.playing || this.state === 'loading' || this.state === 'error') return;
		if (this.pausedAt >= this.frames) this.pausedAt = 0;
		await this.startAt(this.pausedAt, this.countInOn);
	}

	pause(): void {
		if (!this.playing) return;
		this.pausedAt = Math.round(this.currentTime * this.sampleRate);
		this.halt();
		this.setState('paused');
		this.idleWhenPaused();
	}

	/**
	 * While paused, the stretch worklet would go on processing silence (an AudioWorklet
	 * runs as long as its context does, connected or not): with the stage engaged the
	 * context is suspended once the stage's tail has played out, so nothing stale is left
	 * in it to be heard on resume. startAt resumes it.
	 */
	private idleWhenPaused() {
		if (!this.stage.active) return;
		const gen = this.generation;
		setTimeout(
			() => {
				if (gen !== this.generation || this.playing || !this.stage.active || this.ctx.state !== 'running') return;
				this.suspending = this.ctx
					.suspend()
					.catch(() => {}) // closed meanwhile
					.finally(() => (this.suspending = null));
			},
			(this.stage.delay + 0.05) * 1000
		);
	}

	/** Reads ahead what a seek to `seconds` will need (on pointer-down, before the click ends). */
	prefetch(seconds: number): void {
		if (this.state === 'loading' || this.state === 'error') return;
		const frame = Math.round(clamp(seconds, 0, this.duration) * this.sampleRate);
		for (const t of this.tracks) t.source.prefetch?.(frame);
	}

	toggle(): Promise<void> | void {
		return this.playing ? this.pause() : this.play();
	}

	/** Moves the play head; keeps playing when playing. */
	async seek(seconds: number): Promise<void> {
		const frame = Math.round(clamp(seconds, 0, this.duration) * this.sampleRate);
		if (this.playing) {
			this.halt();
			await this.startAt(frame);
		} else {
			this.pausedAt = frame;
			this.onchange();
		}
	}

	/** Sets (or clears, with null) the loop region in seconds. */
	async setLoop(loop: { start: number; end: number } | null): Promise<void> {
		const next =
			loop && loop.end - loop.start > 0.05
				? {
						start: Math.round(clamp(loop.start, 0, this.duration) * this.sampleRate),
						end: Math.round(clamp(loop.end, 0, this.duration) * this.sampleRate)
					}
				: null;
		this.loopRegion = next;
		if (this.playing) {
			const at = this.currentTime;
			// Jump into the loop when the play head is past it.
			const into = next && at * this.sampleRate >= next.end ? next.start / this.sampleRate : at;
			this.halt();
			await this.startAt(Math.round(into * this.sampleRate));
		} else this.onchange();
	}

	/** Applies faders, mute/solo (with loudness offsets) and the master fader. */
	setMix(stems: StemMix[], offsets: number[] | null, masterDb: number): void {
		const gains = stemGains(stems, offsets);
		this.tracks.forEach((t, i) => this.glide(t.fader.gain, gains[i] ?? 0));
		this.glide(this.master.gain, dbToGain(masterDb));
	}

	/** Glides a gain to `value` without a click; a mute ends in true silence (exact 0). */
	private glide(param: AudioParam, value: number) {
		const now = this.ctx.currentTime;
		param.cancelScheduledValues(now);
		param.setTargetAtTime(value, now, SMOOTH);
		if (value === 0) param.setValueAtTime(0, now + SMOOTH * 8);
	}

	/** Current level of stem `i`, or of the master with -1. */
	level(i: number): Level {
		const a = i < 0 ? this.masterAnalyser : this.tracks[i]?.analyser;
		if (!a || !this.playing) return { rmsDb: -Infinity, peakDb: -Infinity };
		if (this.scratch.length !== a.fftSize) this.scratch = new Float32Array(a.fftSize);
		a.getFloatTimeDomainData(this.scratch);
		let sum = 0;
		let peak = 0;
		for (const x of this.scratch) {
			sum += x * x;
			const m = Math.abs(x);
			if (m > peak) peak = m;
		}
		const rms = Math.sqrt(sum / this.scratch.length);
		return { rmsDb: rms > 0 ? 20 * Math.log10(rms) : -Infinity, peakDb: peak > 0 ? 20 * Math.log10(peak) : -Infinity };
	}

	private halt() {
		this.generation++;
		this.program = null;
		this.stopSources();
	}

	private stopSources() {
		this.click.stop();
		for (const t of this.tracks) {
			for (const s of t.live) {
				try {
					s.stop();
				} catch {
					/* not started */
				}
				s.disconnect();
			}
			t.live.clear();
		}
	}

	/** The grid a count-in at timeline frame `frame` takes its tempo and metre from. */
	private gridNear(frame: number): Grid | null {
		return gridAt(this.grids, frame / this.sampleRate);
	}

	private async startAt(frame: number, withCountIn = false): Promise<void> {
		const gen = ++this.generation;
		this.pausedAt = frame;
		this.setState('starting');
		try {
			if (this.suspending) await this.suspending;
			const running = this.ctx.state === 'running';
			if (this.ctx.state === 'suspended') await this.ctx.resume();
			// Position every stem and decode its first block before picking the start frame.
			for (const t of this.tracks) {
				t.scheduledUntil = 0;
				t.source.seek(frame);
			}
			const first = await Promise.all(this.tracks.map((t) => t.source.next()));
			if (gen !== this.generation) return;
			const speed = this.practiceNow.speed;
			const loop = this.loopRegion && frame < this.loopRegion.end ? this.loopRegion : null;
			const lead = withCountIn ? countInSeconds(this.gridNear(frame), speed) : 0;
			const gap = this.countInOn && loop ? Math.round(countInSeconds(this.gridNear(loop.start), speed) * this.sampleRate) : 0;
			const start = running ? this.renderAhead + RUNNING_MARGIN : START_LEAD;
			const at = startFrame(this.ctx.currentTime, this.sampleRate, start + lead);
			const program = new Program(at, frame, this.frames, loop, speed, gap);
			this.program = program;
			this.setState('playing');
			this.tracks.forEach((t, i) => this.feed(t, program, gen, first[i]));
			this.feedClick(program, gen, withCountIn);
			this.watchEnd(program, gen);
		} catch (e) {
			if (gen === this.generation) this.fail(e);
		}
	}

	/** Stops at the end of a program that does not loop. */
	private async watchEnd(program: Program, gen: number) {
		while (gen === this.generation) {
			const left = (program.endFrame - this.ctx.currentTime * this.sampleRate) / this.sampleRate + this.stage.delay;
			if (left <= 0) {
				this.halt();
				this.pausedAt = this.frames;
				this.setState('paused');
				this.idleWhenPaused();
				return;
			}
			await sleep(Math.min(250, left * 1000 + 5));
		}
	}

	/** Schedules one stem's blocks, span after span, up to LOOKAHEAD ahead. */
	private async feed(t: Track, program: Program, gen: number, first: PcmBlock | null) {
		let span: Span | null = program.span(0);
		let block = first;
		try {
			while (span && gen === this.generation) {
				const spanEnd = program.frameAt(span, span.to);
				if (!block) {
					// The stem ended before the span did (a shorter stem): silence to its end,
					// then on to the next span.
					t.scheduledUntil = Math.max(t.scheduledUntil, spanEnd);
					span = program.span(span.index + 1);
					if (span) t.source.seek(span.from);
				} else {
					const { piece, next } = place(block, span, program.speed);
					if (piece) this.schedule(t, block, piece, program.speed);
					if (next) {
						t.scheduledUntil = Math.max(t.scheduledUntil, spanEnd);
						span = program.span(span.index + 1);
						if (span) t.source.seek(span.from);
					}
				}
				if (!span) return;
				// Flow control: wait until the scheduled audio runs low.
				for (;;) {
					if (gen !== this.generation) return;
					const ahead = (t.scheduledUntil - this.ctx.currentTime * this.sampleRate) / this.sampleRate;
					if (ahead < LOOKAHEAD) break;
					await sleep(Math.min(500, (ahead - LOOKAHEAD) * 1000 + 20));
				}
				block = await t.source.next();
			}
		} catch (e) {
			if (gen === this.generation) this.fail(e);
		}
	}

	/** Seconds the audio thread may render past `currentTime` before a new start() reaches it. */
	private get renderAhead(): number {
		return Math.max(128 / this.sampleRate, this.ctx.baseLatency || 0);
	}

	private schedule(t: Track, block: PcmBlock, piece: { at: number; offset: number; frames: number }, speed: number) {
		// A piece already due starts late (trimmed, on the same grid), beyond what the audio
		// thread may render before this start() reaches it.
		const now = Math.ceil((this.ctx.currentTime + this.renderAhead) * this.sampleRate) + 128;
		const p = catchUp(piece, now, speed);
		t.scheduledUntil = piece.at + (speed === 1 ? piece.frames : piece.frames / speed);
		if (!p) return;
		const buffer = new AudioBuffer({
			length: p.frames,
			numberOfChannels: block.channels.length,
			sampleRate: this.sampleRate
		});
		block.channels.forEach((c, i) => buffer.copyToChannel(c.subarray(p.offset, p.offset + p.frames), i));
		const node = new AudioBufferSourceNode(this.ctx, { buffer });
		if (speed !== 1) node.playbackRate.value = speed;
		node.connect(t.fader);
		node.onended = () => {
			node.disconnect();
			t.live.delete(node);
		};
		t.live.add(node);
		node.start(p.at / this.sampleRate);
	}

	/**
	 * Schedules the click (the takes' beats, heard through each span) and the count-ins,
	 * LOOKAHEAD ahead, from the same timeline ↔ context mapping as the stems, delayed
	 * like the mix by the pitch stage.
	 */
	private async feedClick(program: Program, gen: number, withCountIn: boolean) {
		const rate = this.sampleRate;
		const delay = this.stage.delay;
		if (withCountIn) {
			for (const c of countIn(this.gridNear(program.from), program.at / rate + delay, program.speed)) this.click.at(c.at, c.accent, true);
		}
		if (this.ticks.length === 0 && program.gap === 0) return;
		for (let span = program.span(0); span && gen === this.generation; span = program.span(span.index + 1)) {
			const start = span.at / rate + delay;
			if (span.index > 0 && program.gap > 0) {
				for (const c of countIn(this.gridNear(span.from), start, program.speed)) this.click.at(c.at, c.accent, true);
			}
			const ticks = ticksIn(this.ticks, span.from / rate, span.to / rate);
			for (const c of clickTimes(ticks, span.from / rate, start, program.speed)) {
				// Flow control: keep LOOKAHEAD of clicks scheduled.
				while (gen === this.generation && c.at - this.ctx.currentTime > LOOKAHEAD) await sleep(500);
				if (gen !== this.generation) return;
				this.click.at(c.at, c.accent, false);
			}
			// A span with no beats (or a long one): wait until it is near before the next.
			const end = program.frameAt(span, span.to) / rate + delay;
			while (gen === this.generation && end - this.ctx.currentTime > LOOKAHEAD) await sleep(500);
		}
	}

	/** Releases the context and the decoders. */
	async close(): Promise<void> {
		this.halt();
		for (const t of this.tracks) t.source.close();
		this.stage.close();
		if (this.ctx.state !== 'closed') await this.ctx.close();
	}
}
