// Streaming stem sources: each yields decoded PCM in contiguous blocks from any frame
// on, reading the file in byte ranges. Ogg Opus is decoded with WebCodecs, WAV is read
// directly; anything else (FLAC, or a browser without WebCodecs Opus) falls back to
// decoding the whole file once.

import { OggPacketReader } from './ogg';
import { writeStream } from './oggwrite';
import { PageIndex, lastGranule, seekPage, type PagePoint } from './oggseek';
import {
	OPUS_PREROLL,
	OPUS_RATE,
	OpusPacketClock,
	isOpusHead,
	isOpusTags,
	parseOpusHead,
	withoutPreSkip,
	type OpusHead,
	type TimedPacket
} from './opus';
import { SegmentCache, SegmentedFile, httpRange } from './segments';
import { parseWavHeader, pcmToFloat, type WavInfo } from './wav';

/** Decoded audio: `frames` frames from timeline frame `start`, one array per channel. */
export interface PcmBlock {
	start: number;
	frames: number;
	channels: Float32Array<ArrayBuffer>[];
}

export interface StemSource {
	/** How it reads and decodes, for display: "opus · webcodecs", "wav", … */
	readonly kind: string;
	readonly sampleRate: number;
	readonly channelCount: number;
	/** Total frames (known after open). */
	readonly frames: number;
	open(): Promise<void>;
	/** The next block returned starts exactly at `frame`. */
	seek(frame: number): void;
	/** The next block, or null at the end. */
	next(): Promise<PcmBlock | null>;
	/** Reads ahead what a seek to `frame` will need (a hint: the click has not ended yet). */
	prefetch?(frame: number): void;
	close(): void;
}

export interface StemFile {
	url: string;
	format: string;
	sizeBytes: number;
	sampleRate: number;
	channels: number;
	durationSeconds: number;
}

/** Concatenates blocks' channels (for tests and the mixdown). */
export function sliceChannels(channels: Float32Array<ArrayBuffer>[], from: number, to: number): Float32Array<ArrayBuffer>[] {
	return channels.map((c) => c.subarray(from, to));
}

// ---------------------------------------------------------------------------------
// Ogg Opus: pages and packets parsed here, packets decoded by WebCodecs (or, without
// it, by decodeAudioData on small Ogg files of consecutive packets)

export function webCodecsOpusAvailable(): boolean {
	return typeof globalThis.AudioDecoder === 'function' && typeof globalThis.EncodedAudioChunk === 'function';
}

export async function opusDecoderSupported(channels = 2): Promise<boolean> {
	if (!webCodecsOpusAvailable()) return false;
	try {
		const r = await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: OPUS_RATE, numberOfChannels: channels });
		return !!r.supported;
	} catch {
		return false;
	}
}

/** Decoded audio of consecutive packets, from granule position `start`. */
export interface DecodedRun {
	start: number;
	channels: Float32Array<ArrayBuffer>[];
}

/** Turns consecutive timed packets into PCM; `reset` after a seek. */
export interface OpusPacketDecoder {
	decode(packets: TimedPacket[], last: boolean): Promise<DecodedRun[]>;
	reset(): void;
	close(): void;
}

/** WebCodecs AudioDecoder: one output per packet, stamped with the packet's position. */
export class WebCodecsOpusDecoder implements OpusPacketDecoder {
	private decoder: AudioDecoder | null = null;
	private runs: DecodedRun[] = [];
	private error: Error | null = null;
	private submitted = 0;
	private received = 0;
	private waiters: (() => void)[] = [];
	private generation = 0;

	constructor(private head: OpusHead) {
		this.reset();
	}

	reset() {
		this.close();
		const gen = ++this.generation;
		this.runs = [];
		this.error = null;
		this.submitted = this.received = 0;
		this.decoder = new AudioDecoder({
			output: (data) => {
				if (gen !== this.generation) return data.close();
				try {
					const channels: Float32Array<ArrayBuffer>[] = [];
					for (let c = 0; c < this.head.channels; c++) {
						const plane = new Float32Array(data.numberOfFrames);
						data.copyTo(plane, { planeIndex: Math.min(c, data.numberOfChannels - 1), format: 'f32-planar' });
						channels.push(plane);
					}
					this.runs.push({ start: Math.round((data.timestamp * OPUS_RATE) / 1e6), channels });
				} finally {
					data.close();
				}
				this.received++;
				this.wake();
			},
			error: (e) => {
				if (gen !== this.generation) return;
				this.error = e instanceof Error ? e : new Error(String(e));
				this.wake();
			}
		});
		this.decoder.configure({
			codec: 'opus',
			sampleRate: OPUS_RATE,
			numberOfChannels: this.head.channels,
			// Pre-skip is trimmed by the source, from the granule positions.
			description: withoutPreSkip(this.head)
		});
	}

	private wake() {
		const w = this.waiters;
		this.waiters = [];
		w.forEach((f) => f());
	}

	/** A reset meanwhile (a seek) makes the result empty: that output was for the old place. */
	async decode(packets: TimedPacket[], last: boolean): Promise<DecodedRun[]> {
		const gen = this.generation;
		const d = this.decoder!;
		for (const p of packets) {
			d.decode(new EncodedAudioChunk({ type: 'key', timestamp: (p.start * 1e6) / OPUS_RATE, data: p.data }));
			this.submitted++;
		}
		if (last)
			await d.flush().catch((e) => {
				if (gen === this.generation) throw e;
			});
		else
			await new Promise<void>((resolve, reject) => {
				const check = () => {
					if (gen !== this.generation) resolve();
					else if (this.error) reject(this.error);
					else if (this.received >= this.submitted) resolve();
					else this.waiters.push(check);
				};
				check();
			});
		if (gen !== this.generation) return [];
		if (this.error) throw this.error;
		const runs = this.runs;
		this.runs = [];
		return runs;
	}

	close() {
		this.generation++;
		if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
		this.decoder = null;
		this.wake(); // a decode waiting on the old decoder returns (empty)
	}
}

/** Packets decoded again before each run, so the decoder state has converged (≥ 80 ms). */
const CHUNK_CONTEXT = OPUS_PREROLL;

function opusTagsPacket(): Uint8Array {
	const vendor = 'stemset';
	const b = new Uint8Array(16 + vendor.length);
	const v = new DataView(b.buffer);
	b.set([...'OpusTags', ...vendor].map((c) => c.charCodeAt(0)).slice(0, 8), 0);
	v.setUint32(8, vendor.length, true);
	b.set([...vendor].map((c) => c.charCodeAt(0)), 12);
	v.setUint32(12 + vendor.length, 0, true);
	return b;
}

/**
 * Without WebCodecs: each run of packets becomes a small Ogg Opus file (the header with
 * pre-skip 0, then the packets, preceded by the previous ~80 ms of packets as decoder
 * pre-roll) for decodeAudioData; the pre-roll's output is dropped.
 */
export class ChunkedOpusDecoder implements OpusPacketDecoder {
	private context: TimedPacket[] = [];
	private ctx: OfflineAudioContext;
	private tags = opusTagsPacket();
	private generation = 0;

	constructor(private head: OpusHead) {
		this.ctx = new OfflineAudioContext(head.channels, 1, OPUS_RATE);
	}

	reset() {
		this.generation++;
		this.context = [];
	}

	async decode(packets: TimedPacket[]): Promise<DecodedRun[]> {
		if (!packets.length) return [];
		const gen = this.generation;
		const all = [...this.context, ...packets];
		let granule = 0;
		const ogg = writeStream(
			[
				{ data: withoutPreSkip(this.head), granule: 0 },
				{ data: this.tags, granule: 0 },
				...all.map((p) => ({ data: p.data, granule: (granule += p.samples) }))
			],
			{ flushAfter: [0, 1] }
		);
		const buffer = await this.ctx.decodeAudioData(ogg.buffer as ArrayBuffer);
		if (gen !== this.generation) return []; // reset meanwhile (a seek)
		const pre = this.context.reduce((n, p) => n + p.samples, 0);
		// If the decoder gave fewer frames than the packets hold, they are missing at the start.
		const skip = Math.max(0, pre - (granule - buffer.length));
		const channels = Array.from({ length: this.head.channels }, (_, c) =>
			buffer.getChannelData(Math.min(c, buffer.numberOfChannels - 1)).slice(skip)
		);
		// Keep the last packets (≥ 80 ms) as the next run's pre-roll.
		const keep: TimedPacket[] = [];
		let held = 0;
		for (let i = all.length - 1; i >= 0 && held < CHUNK_CONTEXT; i--) {
			keep.unshift(all[i]);
			held += all[i].samples;
		}
		this.context = keep;
		return [{ start: packets[0].start + Math.max(0, skip - pre), channels }];
	}

	close() {
		this.reset();
	}
}

export type OpusDecoding = 'webcodecs' | 'chunks';

/** Frames of decoded audio gathered before a block is handed out (≈ 1.4 s at 48 kHz). */
const OPUS_BLOCK = 65536;
/**
 * After a seek the first block is smaller (≈ 0.34 s; WebCodecs), from a short read: playback
 * waits for every stem's first block, and decoding a whole 64 kB segment (≈ 3 s of audio)
 * per stem first made a seek cost hundreds of ms more on a busy machine.
 */
const FIRST_BLOCK = 16384;
const FIRST_READ = 16 * 1024;

export class OggOpusSource implements StemSource {
	readonly sampleRate = OPUS_RATE;
	get kind() {
		return `opus · ${this.decoding === 'webcodecs' ? 'WebCodecs' : 'decodeAudioData chunks'}`;
	}
	channelCount = 2;
	frames = 0;
	private head!: OpusHead;
	/** First page after which audio begins (the page completing OpusTags). */
	private dataStart!: PagePoint;
	private endGranule = 0;

	private reader!: OggPacketReader;
	private clock!: OpusPacketClock;
	private readPos = 0;
	private eof = false;
	private decoder: OpusPacketDecoder | null = null;
	/** Decoded frames not handed out yet, from timeline frame `pendingStart`. */
	private pending: Float32Array<ArrayBuffer>[][] = [];
	private pendingFrames = 0;
	private pendingStart = 0;
	/** Where the next block must start; output before it is decoder pre-roll. */
	private target = 0;
	/** A pending seek (applied by the next `next()`). */
	private seekTo = 0;
	private needSeek = true;
	/** `next()` calls run one at a time, within a seek's epoch; a seek starts a new one. */
	private lock: Promise<unknown> = Promise.resolve();
	private epoch = 0;
	/** The pages seen so far (open, seeks, playback): later seeks start from them. */
	private pages = new PageIndex();

	constructor(
		private file: SegmentedFile,
		/** Estimated total length in 48 kHz frames (stem.durationSeconds). */
		private estimatedFrames: number,
		private decoding: OpusDecoding = 'webcodecs'
	) {}

	async open(): Promise<void> {
		const [first, last] = await Promise.all([
			this.file.read(0, Math.min(this.file.size, this.file.segmentBytes)),
			lastGranule(this.file, this.pages)
		]);
		const reader = new OggPacketReader(0);
		let tagsPage: PagePoint | null = null;
		const pages = reader.push(first);
		for (const { page, streamOffset } of pages) this.pages.add(streamOffset, page.length, page.granule);
		for (const { page, packets, streamOffset } of pages) {
			for (const p of packets) {
				if (isOpusHead(p)) this.head = parseOpusHead(p);
				else if (isOpusTags(p)) tagsPage = { offset: streamOffset, granule: 0 };
			}
			if (tagsPage && page.granule >= 0) break;
		}
		if (!this.head || !tagsPage) throw new Error('not an Ogg Opus file (no OpusHead/OpusTags in the first segment)');
		this.channelCount = this.head.channels;
		this.dataStart = tagsPage;
		this.endGranule = last ?? this.estimatedFrames + this.head.preSkip;
		this.frames = Math.max(0, this.endGranule - this.head.preSkip);
		this.decoder =
			this.decoding === 'webcodecs' ? new WebCodecsOpusDecoder(this.head) : new ChunkedOpusDecoder(this.head);
	}

	seek(frame: number): void {
		this.seekTo = Math.max(0, Math.min(Math.round(frame), this.frames));
		this.needSeek = true;
		this.epoch++;
	}

	/** The page to decode from for timeline frame `frame` (its pre-roll included). */
	private async locate(frame: number): Promise<PagePoint> {
		const wanted = frame + this.head.preSkip - OPUS_PREROLL;
		if (wanted <= 0) return this.dataStart;
		return seekPage(this.file, wanted, this.dataStart, this.file.size, this.endGranule, this.file.segmentBytes, this.pages);
	}

	prefetch(frame: number): void {
		if (!this.head || this.decoder === null) return;
		// The search's reads and the first read after it land in the segment cache (and
		// the pages in the index), so the seek that follows finds them there.
		const f = Math.max(0, Math.min(Math.round(frame), this.frames));
		this.locate(f)
			.then((p) => this.file.read(p.offset, p.offset + FIRST_READ))
			.catch(() => {});
	}

	/** Appends decoded output at its timeline position, dropping pre-roll, overlap and the end trim. */
	private take(run: DecodedRun) {
		const start = run.start - this.head.preSkip;
		let n = run.channels[0]?.length ?? 0;
		let from = 0;
		const expected = this.pendingStart + this.pendingFrames;
		if (start < expected) from = expected - start; // pre-roll, pre-skip or overlap
		if (start + n > this.frames) n = Math.max(0, this.frames - start); // end trim
		if (from >= n) return;
		if (start + from > expected) {
			// A gap (should not happen): fill it with silence to stay in sync.
			const gap = start + from - expected;
			this.pending.push(Array.from({ length: this.channelCount }, () => new Float32Array(gap)));
			this.pendingFrames += gap;
		}
		this.pending.push(run.channels.map((c) => c.subarray(from, n)));
		this.pendingFrames += n - from;
	}

	/** Positions the reading at `seekTo`; false when a newer seek came in meanwhile. */
	private async reposition(epoch: number): Promise<boolean> {
		this.needSeek = false;
		this.target = this.seekTo;
		this.decoder!.reset();
		this.pending = [];
		this.pendingFrames = 0;
		this.pendingStart = this.target;
		const point = await this.locate(this.target);
		if (epoch !== this.epoch) return false;
		// Read from the seek page on; its own packets only set the clock.
		this.reader = new OggPacketReader(point.offset);
		this.clock = new OpusPacketClock(null);
		this.readPos = point.offset;
		this.eof = false;
		// Only for WebCodecs: the decodeAudioData fallback decodes each read as a chunk, and
		// a short first chunk leaves a seam the full mixdown does not have.
		this.fresh = this.decoding === 'webcodecs';
		return true;
	}

	/** The next block is the first after a seek (see FIRST_BLOCK). */
	private fresh = false;

	/** Reads and decodes the next bytes; false when a seek came in meanwhile (nothing kept). */
	private async feed(epoch: number): Promise<boolean> {
		const seg = this.file.segmentBytes;
		const segEnd = (Math.floor(this.readPos / seg) + 1) * seg;
		const end = Math.min(this.file.size, this.fresh ? Math.min(segEnd, this.readPos + FIRST_READ) : segEnd);
		const bytes = await this.file.read(this.readPos, end);
		if (epoch !== this.epoch) return false;
		this.readPos = end;
		if (this.readPos >= this.file.size) this.eof = true;
		const packets: TimedPacket[] = [];
		for (const pp of this.reader.push(bytes)) {
			this.pages.add(pp.streamOffset, pp.page.length, pp.page.granule);
			packets.push(...this.clock.page(pp));
		}
		const floor = this.target + this.head.preSkip - OPUS_PREROLL;
		const wanted = packets.filter((p) => p.start + p.samples >= floor);
		const runs = await this.decoder!.decode(wanted, this.eof);
		if (epoch !== this.epoch) return false;
		for (const run of runs) this.take(run);
		return true;
	}

	next(): Promise<PcmBlock | null> {
		const epoch = this.epoch;
		// After a seek, not behind a read of the old place: that one is void, and waiting
		// for its fetch and decode only delays the new place.
		const p = this.needSeek ? this.read(epoch) : this.lock.then(() => this.read(epoch));
		this.lock = p.catch(() => {});
		return p;
	}

	/** The next block of `epoch`; null when a seek came in meanwhile (its caller has moved on). */
	private async read(epoch: number): Promise<PcmBlock | null> {
		if (epoch !== this.epoch) return null;
		if (this.needSeek && !(await this.reposition(epoch))) return null;
		while (this.pendingFrames < (this.fresh ? FIRST_BLOCK : OPUS_BLOCK) && !this.eof) {
			if (!(await this.feed(epoch))) return null;
		}
		if (this.pendingFrames === 0) return null;
		const frames = this.pendingFrames;
		const channels = Array.from({ length: this.channelCount }, (_, c) => {
			const out = new Float32Array(frames);
			let at = 0;
			for (const part of this.pending) {
				out.set(part[c], at);
				at += part[c].length;
			}
			return out;
		});
		const block = { start: this.pendingStart, frames, channels };
		this.fresh = false;
		this.pendingStart += frames;
		this.target = this.pendingStart;
		this.pending = [];
		this.pendingFrames = 0;
		return block;
	}

	close(): void {
		this.decoder?.close();
		this.decoder = null;
	}
}

// ---------------------------------------------------------------------------------
// WAV: frames are byte offsets

const WAV_BLOCK = 65536;

export class WavSource implements StemSource {
	readonly kind = 'wav';
	sampleRate = 0;
	channelCount = 0;
	frames = 0;
	private info!: WavInfo;
	private pos = 0;

	constructor(private file: SegmentedFile) {}

	async open(): Promise<void> {
		const head = await this.file.read(0, Math.min(this.file.size, this.file.segmentBytes));
		this.info = parseWavHeader(head, this.file.size);
		this.sampleRate = this.info.sampleRate;
		this.channelCount = this.info.channels;
		this.frames = this.info.dataLength / this.info.blockAlign;
	}

	seek(frame: number): void {
		this.pos = Math.max(0, Math.min(Math.round(frame), this.frames));
	}

	async next(): Promise<PcmBlock | null> {
		if (this.pos >= this.frames) return null;
		const start = this.pos;
		const frames = Math.min(WAV_BLOCK, this.frames - start);
		this.pos = start + frames; // before awaiting: a seek meanwhile wins
		const { dataOffset, blockAlign } = this.info;
		const bytes = await this.file.read(dataOffset + start * blockAlign, dataOffset + (start + frames) * blockAlign);
		return { start, frames, channels: pcmToFloat(bytes, this.info) };
	}

	close(): void {}
}

// ---------------------------------------------------------------------------------
// Whole-file fallback (FLAC, or no WebCodecs Opus): decodeAudioData once.

const BUFFER_BLOCK = 65536;

export class DecodedSource implements StemSource {
	readonly kind = 'whole file';
	channelCount = 0;
	frames = 0;
	private buffer!: AudioBuffer;
	private pos = 0;

	constructor(
		private url: string,
		readonly sampleRate: number
	) {}

	async open(): Promise<void> {
		const res = await fetch(this.url, { credentials: 'same-origin' });
		if (!res.ok) throw new Error(`GET ${this.url}: HTTP ${res.status}`);
		const ctx = new OfflineAudioContext(1, 1, this.sampleRate);
		this.buffer = await ctx.decodeAudioData(await res.arrayBuffer());
		this.channelCount = this.buffer.numberOfChannels;
		this.frames = this.buffer.length;
	}

	seek(frame: number): void {
		this.pos = Math.max(0, Math.min(Math.round(frame), this.frames));
	}

	async next(): Promise<PcmBlock | null> {
		if (this.pos >= this.frames) return null;
		const frames = Math.min(BUFFER_BLOCK, this.frames - this.pos);
		const channels = Array.from({ length: this.channelCount }, (_, c) =>
			this.buffer.getChannelData(c).subarray(this.pos, this.pos + frames)
		);
		const block = { start: this.pos, frames, channels };
		this.pos += frames;
		return block;
	}

	close(): void {}
}

/** How to decode: `auto` picks WebCodecs, else decodeAudioData chunks; `whole` decodes whole files. */
export type Decoding = 'auto' | OpusDecoding | 'whole';

/** The best source for a stem file at the context's sample rate. */
export async function createSource(
	stem: StemFile,
	cache: SegmentCache,
	contextRate: number,
	decoding: Decoding = 'auto'
): Promise<StemSource> {
	const file = new SegmentedFile(stem.url, stem.sizeBytes, httpRange(stem.url), cache);
	let source: StemSource;
	if (stem.format === 'opus' && contextRate === OPUS_RATE && decoding !== 'whole') {
		const opus: OpusDecoding =
			decoding === 'chunks' || !(await opusDecoderSupported(stem.channels)) ? 'chunks' : 'webcodecs';
		source = new OggOpusSource(file, Math.round(stem.durationSeconds * OPUS_RATE), opus);
	} else if (stem.format === 'wav' && stem.sampleRate === contextRate && decoding !== 'whole') {
		source = new WavSource(file);
	} else {
		source = new DecodedSource(stem.url, contextRate);
	}
	await source.open();
	return source;
}
