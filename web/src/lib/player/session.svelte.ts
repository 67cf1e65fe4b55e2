// The player page's state: the audio engine plus what the UI shows and edits (faders,
// mute/solo, master, loudness matching, loop, the play head and meter levels).

import { Player, type Level, type PlayerState } from '$lib/audio/player';
import { loudnessOffsets, stemGains, dbToGain, type StemMix } from '$lib/audio/gain';
import { renderMixdown } from '$lib/audio/mixdown';
import { SegmentCache } from '$lib/audio/segments';
import { createSource, type Decoding } from '$lib/audio/sources';
import { fetchPeaks, stemUrl } from '$lib/api/media';
import { request } from '$lib/api/client';
import { SetStemGain, type RecordingDetail, type Stem } from '$lib/api/operations';
import type { Peaks } from '$lib/audio/peaks';

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

	nudge(seconds: number) {
		return this.seek(this.player.currentTime + seconds);
	}

	setLoop(region: { start: number; end: number } | null) {
		if (region && region.end < region.start) region = { start: region.end, end: region.start };
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

	/** Renders the current mix (or the loop) to WAV in the browser and downloads it. */
	async exportMix(region: 'all' | 'loop' = 'all') {
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
			const blob = await renderMixdown(live, rate, from, to, dbToGain(this.masterDb), (p) => (this.exporting = p));
			live.forEach((s) => s.source.close());
			const a = document.createElement('a');
			a.href = URL.createObjectURL(blob);
			a.download = `${this.recording.title}${loop ? ' (loop)' : ''} - mix.wav`.replace(/[\\/:*?"<>|]+/g, '_');
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
