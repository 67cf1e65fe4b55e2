// The player page's state: the audio engine plus what the UI shows and edits (faders,
// mute/solo, master, loudness matching, loop, the play head and meter levels).

import { Player, type Level, type PlayerState } from '$lib/audio/player';
import { loudnessOffsets, stemGains, dbToGain, type StemMix } from '$lib/audio/gain';
import { renderMixdown, renderMixdownAsHeard } from '$lib/audio/mixdown';
import { SegmentCache } from '$lib/audio/segments';
import { createSource, type Decoding } from '$lib/audio/sources';
import { fetchPeaks, stemUrl } from '$lib/api/media';
import { request } from '$lib/api/client';
import { SetStemGain, type RecordingDetail, type Stem } from '$lib/api/operations';
import type { Peaks } from '$lib/audio/peaks';
import {
	NEUTRAL,
	clampCents,
	clampSemitones,
	clampSpeed,
	isNeutral,
	parseTimes,
	shiftSemitones,
	snap as snapTo,
	ticksOf,
	type Grid,
	type Practice
} from '$lib/audio/practice';

/** Loop edges snap to nothing, the beats or the bars. */
export type Snap = 'off' | 'beat' | 'bar';

const SILENT: Level = { rmsDb: -Infinity, peakDb: -Infinity };

export class PlayerSession {
	readonly recording: RecordingDetail;
	readonly stems: Stem[];
	readonly player: Player;

	state = $state<PlayerState>('loading');
	sourceKind = $state('');
	error = $state<string | null>(null);
	time = $state(0);
	duration = $state(0);
	mix = $state<StemMix[]>([]);
	saved = $state<number[]>([]);
	masterDb = $state(0);
	lufsMatch = $state(true);
	loop = $state<{ start: number; end: number } | null>(null);
	loopOn = $state(false);
	selected = $state(0);
	peaks = $state<(Peaks | null)[]>([]);
	levels = $state<Level[]>([]);
	master = $state<Level>(SILENT);
	saving = $state(false);
	saveError = $state<string | null>(null);
	exporting = $state<number | null>(null);
	exportError = $state<string | null>(null);
	/** Practice tempo and transposition (see practice.ts). */
	speed = $state(1);
	semitones = $state(0);
	cents = $state(0);
	/** The click on the takes' beat grid, its level, and the count-in. */
	clickOn = $state(false);
	clickDb = $state(-6);
	countIn = $state(false);
	snap = $state<Snap>('off');
	/** Whether the takes have a beat grid (the click and snapping need one). */
	hasGrid = $state(false);
	/** Time from "play" to the first scheduled frame, for the curious (ms). */
	startLatency = $state<number | null>(null);

	readonly offsets: number[];
	private raf = 0;
	private closed = false;

	constructor(recording: RecordingDetail, decoding: Decoding = 'auto') {
		this.recording = recording;
		this.stems = recording.stems.nodes;
		this.offsets = loudnessOffsets(this.stems);
		this.mix = this.stems.map((s) => ({ faderDb: s.gainDb, muted: false, soloed: false }));
		this.saved = this.stems.map((s) => s.gainDb);
		this.duration = recording.durationSeconds;
		this.levels = this.stems.map(() => SILENT);
		this.peaks = this.stems.map(() => null);
		this.player = new Player(
			this.stems.map((s) => ({
				url: stemUrl(s.id),
				format: s.format,
				sizeBytes: s.sizeBytes,
				sampleRate: s.sampleRate,
				channels: s.channels,
				durationSeconds: s.durationSeconds
			})),
			{ decoding }
		);
		this.player.onchange = () => this.sync();
		// A read-only hook for the browser tests (the AudioContext clock, the click log,
		// the pitch heard); nothing in the app uses it.
		if (typeof window !== 'undefined') {
			const player = this.player;
			(window as unknown as { __stemsetPlayer?: unknown }).__stemsetPlayer = Object.freeze({
				contextTime: () => player.ctx.currentTime,
				position: () => player.currentTime,
				latency: () => player.stretchLatency,
				clicks: () => player.click.log.map((c) => ({ ...c })),
				dominantHz: () => dominantHz(player.probe())
			});
		}
	}

	private grids: (Grid & { startSeconds: number; endSeconds: number })[] = [];

	/** The takes' beat grids (beats / downbeats as JSON arrays of recording seconds). */
	setTakes(takes: readonly { startSeconds: number; endSeconds: number; beats: string; downbeats: string }[]) {
		this.grids = takes
			.map((t) => ({ startSeconds: t.startSeconds, endSeconds: t.endSeconds, beats: parseTimes(t.beats), downbeats: parseTimes(t.downbeats) }))
			.filter((g) => g.beats.length >= 2);
		this.hasGrid = this.grids.length > 0;
		this.player.setGrid(ticksOf(this.grids), this.grids);
	}

	get practice(): Practice {
		return { speed: this.speed, semitones: this.semitones, cents: this.cents };
	}

	get practiceChanged(): boolean {
		return !isNeutral(this.practice);
	}

	/** Changes tempo and/or transposition (clamped to the controls' ranges). */
	setPractice(p: Partial<Practice>) {
		this.speed = clampSpeed(p.speed ?? this.speed);
		this.semitones = clampSemitones(p.semitones ?? this.semitones);
		this.cents = clampCents(p.cents ?? this.cents);
		return this.player.setPractice(this.practice);
	}

	resetPractice() {
		return this.setPractice(NEUTRAL);
	}

	/** Pushes the click on/off, its level and the count-in into the player. */
	applyClick() {
		this.player.setClick(this.clickOn, dbToGain(this.clickDb));
		return this.player.setCountIn(this.countIn);
	}

	/** A loop edge as set by the user, snapped to the grid when snapping is on. */
	snapped(t: number): number {
		return this.snap === 'off' ? t : snapTo(t, this.grids, this.snap === 'bar');
	}

	/** Opens the stems and loads the waveforms; starts the UI clock. */
	async start() {
		this.stems.forEach((s, i) =>
			fetchPeaks(s.id)
				.then((p) => (this.peaks[i] = p))
				.catch((e) => console.warn('waveform', s.name, e))
		);
		this.tick();
		await this.player.load();
		this.applyMix();
		this.applyClick();
		this.sync();
	}

	private sync() {
		this.state = this.player.state;
		this.sourceKind = this.player.sourceKind;
		this.error = this.player.error;
		if (this.player.duration > 0) this.duration = this.player.duration;
		this.time = this.player.currentTime;
	}

	private tick = () => {
		if (this.closed) return;
		this.time = this.player.currentTime;
		if (this.player.playing) {
			this.levels = this.stems.map((_, i) => this.player.level(i));
			this.master = this.player.level(-1);
		} else if (this.master !== SILENT) {
			this.levels = this.stems.map(() => SILENT);
			this.master = SILENT;
		}
		this.raf = requestAnimationFrame(this.tick);
	};

	get dirty(): boolean {
		return this.mix.some((m, i) => m.faderDb !== this.saved[i]);
	}

	/** Pushes faders, mute/solo, loudness matching and master into the audio graph. */
	applyMix() {
		this.player.setMix(this.mix, this.lufsMatch ? this.offsets : null, this.masterDb);
	}

	async toggle() {
		const t0 = performance.now();
		const wasPlaying = this.player.playing;
		await this.player.toggle();
		if (!wasPlaying && this.player.playing) this.startLatency = Math.round(performance.now() - t0);
	}

	seek(seconds: number) {
		this.time = Math.max(0, Math.min(this.duration, seconds));
		return this.player.seek(seconds);
	}

	/** A click on the timeline may be a seek there: read ahead for it (see Player.prefetch). */
	prefetch(seconds: number) {
		this.player.prefetch(seconds);
	}

	nudge(seconds: number) {
		return this.seek(this.player.currentTime + seconds);
	}

	setLoop(region: { start: number; end: number } | null, snapEdges = false) {
		if (region && region.end < region.start) region = { start: region.end, end: region.start };
		if (region && snapEdges) region = { start: this.snapped(region.start), end: this.snapped(region.end) };
		this.loop = region;
		this.loopOn = !!region;
		return this.player.setLoop(region);
	}

	toggleLoop() {
		if (!this.loop) return;
		this.loopOn = !this.loopOn;
		return this.player.setLoop(this.loopOn ? this.loop : null);
	}

	toggleMute(i: number) {
		this.mix[i].muted = !this.mix[i].muted;
		this.applyMix();
	}

	toggleSolo(i: number) {
		this.mix[i].soloed = !this.mix[i].soloed;
		this.applyMix();
	}

	/** Saves the faders that changed (setStemGain). */
	async save() {
		this.saving = true;
		this.saveError = null;
		try {
			for (let i = 0; i < this.stems.length; i++) {
				if (this.mix[i].faderDb === this.saved[i]) continue;
				const r = await request(SetStemGain, { id: this.stems[i].id, gainDb: this.mix[i].faderDb });
				this.saved[i] = r.setStemGain.gainDb;
			}
		} catch (e) {
			this.saveError = (e as Error).message;
		} finally {
			this.saving = false;
		}
	}

	revert() {
		this.mix.forEach((m, i) => (m.faderDb = this.saved[i]));
		this.applyMix();
	}

	/**
	 * Renders the current mix (or the loop) to WAV in the browser and downloads it;
	 * `asHeard`: at the practice speed and pitch.
	 */
	async exportMix(region: 'all' | 'loop' = 'all', asHeard = false) {
		if (this.exporting !== null) return;
		this.exporting = 0;
		this.exportError = null;
		try {
			const rate = this.player.sampleRate;
			const cache = new SegmentCache(16 * 1024 * 1024);
			const gains = stemGains(this.mix, this.lufsMatch ? this.offsets : null);
			const stems = await Promise.all(
				this.stems.map(async (s, i) => ({
					gain: gains[i],
					source:
						gains[i] > 0
							? await createSource(
									{
										url: stemUrl(s.id),
										format: s.format,
										sizeBytes: s.sizeBytes,
										sampleRate: s.sampleRate,
										channels: s.channels,
										durationSeconds: s.durationSeconds
									},
									cache,
									rate,
									this.player.decoding
								)
							: null
				}))
			);
			const live = stems.filter((s) => s.source) as { gain: number; source: NonNullable<(typeof stems)[number]['source']> }[];
			const frames = Math.max(0, ...live.map((s) => s.source.frames));
			const loop = region === 'loop' && this.loop ? this.loop : null;
			const from = loop ? Math.round(loop.start * rate) : 0;
			const to = loop ? Math.round(loop.end * rate) : frames;
			const p = this.practice;
			const heard = asHeard && !isNeutral(p);
			const progress = (x: number) => (this.exporting = x);
			const blob = heard
				? await renderMixdownAsHeard(live, rate, from, to, dbToGain(this.masterDb), p.speed, shiftSemitones(p), progress)
				: await renderMixdown(live, rate, from, to, dbToGain(this.masterDb), progress);
			live.forEach((s) => s.source.close());
			const a = document.createElement('a');
			a.href = URL.createObjectURL(blob);
			const tag = heard ? ` (${Math.round(p.speed * 100)}%${p.semitones || p.cents ? ` ${p.semitones + p.cents / 100 > 0 ? '+' : ''}${(p.semitones + p.cents / 100).toFixed(2)} st` : ''})` : '';
			a.download = `${this.recording.title}${loop ? ' (loop)' : ''}${tag} - mix.wav`.replace(/[\\/:*?"<>|]+/g, '_');
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
		} catch (e) {
			this.exportError = (e as Error).message;
		} finally {
			this.exporting = null;
		}
	}

	async close() {
		if (this.closed) return;
		this.closed = true;
		cancelAnimationFrame(this.raf);
		await this.player.close();
	}
}

/**
 * The strongest frequency an analyser hears (Hz): the peak FFT bin, refined by a parabola
 * through the dB values around it (the tests measure pitch with it). 0 in silence.
 */
function dominantHz(a: AnalyserNode): number {
	const bins = new Float32Array(a.frequencyBinCount);
	a.getFloatFrequencyData(bins);
	let k = 1;
	for (let i = 2; i < bins.length - 1; i++) if (bins[i] > bins[k]) k = i;
	if (!Number.isFinite(bins[k]) || bins[k] < -100) return 0;
	const [l, c, r] = [bins[k - 1], bins[k], bins[k + 1]];
	const d = l - 2 * c + r === 0 ? 0 : (0.5 * (l - r)) / (l - 2 * c + r);
	return ((k + d) * a.context.sampleRate) / a.fftSize;
}
