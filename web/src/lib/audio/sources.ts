// Streaming stem sources: each yields decoded PCM in contiguous blocks from any frame
// on, reading the file in byte ranges. Ogg Opus is decoded with WebCodecs, WAV is read
// directly; anything else (FLAC, or a browser without WebCodecs Opus) falls back to
// decoding the whole file once.

import { OggPacketReader } from './ogg';
import { lastGranule, seekPage, type PagePoint } from './oggseek';
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
	readonly sampleRate: number;
	readonly channelCount: number;
	/** Total frames (known after open). */
	readonly frames: number;
	open(): Promise<void>;
	/** The next block returned starts exactly at `frame`. */
	seek(frame: number): void;
	/** The next block, or null at the end. */
	next(): Promise<PcmBlock | null>;
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
// Ogg Opus with WebCodecs

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

/** Frames of decoded audio gathered before a block is handed out (≈ 1.4 s at 48 kHz). */
const OPUS_BLOCK = 65536;

export class OggOpusSource implements StemSource {
	readonly sampleRate = OPUS_RATE;
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
	private decoder: AudioDecoder | null = null;
	private decodeError: Error | null = null;
	private submitted = 0;
	private received = 0;
	private waiters: (() => void)[] = [];
	/** Decoded frames not handed out yet, from timeline frame `pendingStart`. */
	private pending: Float32Array<ArrayBuffer>[][] = [];
	private pendingFrames = 0;
	private pendingStart = 0;
	/** Where the next block must start; output before it is decoder pre-roll. */
	private target = 0;
	/** A pending seek (applied by the next `next()`). */
	private seekTo = 0;
	private needSeek = true;
	private generation = 0;
	/** `next()` calls run one at a time. */
	private lock: Promise<unknown> = Promise.resolve();

	constructor(
		private file: SegmentedFile,
		/** Estimated total length in 48 kHz frames (stem.durationSeconds). */
		private estimatedFrames: number
	) {}

	async open(): Promise<void> {
		const [first, last] = await Promise.all([
			this.file.read(0, Math.min(this.file.size, this.file.segmentBytes)),
			lastGranule(this.file)
		]);
		const reader = new OggPacketReader(0);
		let tagsPage: PagePoint | null = null;
		for (const { page, packets, streamOffset } of reader.push(first)) {
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
	}

	seek(frame: number): void {
		this.seekTo = Math.max(0, Math.min(Math.round(frame), this.frames));
		this.needSeek = true;
	}

	private resetDecoder() {
		this.generation++;
		const gen = this.generation;
		if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
		this.decodeError = null;
		this.submitted = 0;
		this.received = 0;
		this.pending = [];
		this.pendingFrames = 0;
		this.pendingStart = this.target;
		const preSkip = this.head.preSkip;
		this.decoder = new AudioDecoder({
			output: (data) => {
				if (gen !== this.generation) {
					data.close();
					return;
				}
				this.take(data, preSkip);
				this.received++;
				this.wake();
			},
			error: (e) => {
				if (gen !== this.generation) return;
				this.decodeError = e instanceof Error ? e : new Error(String(e));
				this.wake();
			}
		});
		this.decoder.configure({
			codec: 'opus',
			sampleRate: OPUS_RATE,
			numberOfChannels: this.head.channels,
			// Pre-skip is trimmed here, from the granule positions, not by the decoder.
			description: withoutPreSkip(this.head)
		});
	}

	private wake() {
		const w = this.waiters;
		this.waiters = [];
		w.forEach((f) => f());
	}

	/** Appends decoded output at its timeline position, dropping pre-roll and overlap. */
	private take(data: AudioData, preSkip: number) {
		try {
			const granule = Math.round((data.timestamp * OPUS_RATE) / 1e6);
			let start = granule - preSkip;
			let n = data.numberOfFrames;
			const channels: Float32Array<ArrayBuffer>[] = [];
			for (let c = 0; c < this.channelCount; c++) {
				const plane = new Float32Array(n);
				data.copyTo(plane, { planeIndex: Math.min(c, data.numberOfChannels - 1), format: 'f32-planar' });
				channels.push(plane);
			}
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
			this.pending.push(channels.map((c) => c.subarray(from, n)));
			this.pendingFrames += n - from;
			start += n;
		} finally {
			data.close();
		}
	}

	private async reposition() {
		this.needSeek = false;
		this.target = this.seekTo;
		this.resetDecoder();
		const preSkip = this.head.preSkip;
		const wanted = this.target + preSkip - OPUS_PREROLL;
		let point = this.dataStart;
		if (wanted > 0) {
			point = await seekPage(this.file, wanted, this.dataStart, this.file.size, this.endGranule, 16 * 1024);
		}
		// Read from the seek page on; its own packets only set the clock.
		this.reader = new OggPacketReader(point.offset);
		this.clock = new OpusPacketClock(null);
		this.readPos = point.offset;
		this.eof = false;
	}

	private async feed(): Promise<void> {
		const seg = this.file.segmentBytes;
		const end = Math.min(this.file.size, (Math.floor(this.readPos / seg) + 1) * seg);
		const bytes = await this.file.read(this.readPos, end);
		this.readPos = end;
		if (this.readPos >= this.file.size) this.eof = true;
		const packets: TimedPacket[] = [];
		for (const pp of this.reader.push(bytes)) packets.push(...this.clock.page(pp));
		for (const p of packets) {
			if (p.start + p.samples - preSkipOf(this.head) < this.target - OPUS_PREROLL) continue;
			this.decoder!.decode(
				new EncodedAudioChunk({ type: 'key', timestamp: (p.start * 1e6) / OPUS_RATE, data: p.data })
			);
			this.submitted++;
		}
		if (this.eof) await this.decoder!.flush();
		else await this.decoded();
	}

	/** Resolves when every submitted packet has come out of the decoder. */
	private decoded(): Promise<void> {
		return new Promise((resolve, reject) => {
			const check = () => {
				if (this.decodeError) reject(this.decodeError);
				else if (this.received >= this.submitted) resolve();
				else this.waiters.push(check);
			};
			check();
		});
	}

	next(): Promise<PcmBlock | null> {
		const p = this.lock.then(() => this.read());
		this.lock = p.catch(() => {});
		return p;
	}

	private async read(): Promise<PcmBlock | null> {
		if (this.needSeek) await this.reposition();
		while (this.pendingFrames < OPUS_BLOCK && !this.eof) {
			await this.feed();
			// A seek came in meanwhile: this read is void (its caller has moved on).
			if (this.needSeek) return null;
		}
		if (this.decodeError) throw this.decodeError;
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
		this.pendingStart += frames;
		this.target = this.pendingStart;
		this.pending = [];
		this.pendingFrames = 0;
		return block;
	}

	close(): void {
		this.generation++;
		if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
		this.decoder = null;
	}
}

const preSkipOf = (h: OpusHead) => h.preSkip;

// ---------------------------------------------------------------------------------
// WAV: frames are byte offsets

const WAV_BLOCK = 65536;

export class WavSource implements StemSource {
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

/** The best source for a stem file at the context's sample rate. */
export async function createSource(stem: StemFile, cache: SegmentCache, contextRate: number): Promise<StemSource> {
	const file = new SegmentedFile(stem.url, stem.sizeBytes, httpRange(stem.url), cache);
	let source: StemSource;
	if (stem.format === 'opus' && contextRate === OPUS_RATE && (await opusDecoderSupported(stem.channels))) {
		source = new OggOpusSource(file, Math.round(stem.durationSeconds * OPUS_RATE));
	} else if (stem.format === 'wav' && stem.sampleRate === contextRate) {
		source = new WavSource(file);
	} else {
		source = new DecodedSource(stem.url, contextRate);
	}
	await source.open();
	return source;
}
