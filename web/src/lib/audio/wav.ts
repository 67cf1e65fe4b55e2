// WAV: header parsing (WAV stems are read in byte ranges like any other), PCM to float,
// and writing the browser mixdown as 16-bit PCM.

export interface WavInfo {
	/** 1 = integer PCM, 3 = IEEE float. */
	format: 1 | 3;
	channels: number;
	sampleRate: number;
	bitsPerSample: number;
	blockAlign: number;
	dataOffset: number;
	/** Bytes of sample data (clamped to what the file can hold when given). */
	dataLength: number;
}

const tag = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/** Parses a RIFF/WAVE header from the file's first bytes (up to the data chunk). */
export function parseWavHeader(bytes: Uint8Array, fileSize?: number): WavInfo {
	if (bytes.length < 12 || tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE')
		throw new Error('not a RIFF/WAVE file');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let at = 12;
	let fmt: Omit<WavInfo, 'dataOffset' | 'dataLength'> | null = null;
	while (at + 8 <= bytes.length) {
		const id = tag(bytes, at);
		const size = view.getUint32(at + 4, true);
		const body = at + 8;
		if (id === 'fmt ') {
			if (body + 16 > bytes.length) break;
			let format = view.getUint16(body, true);
			const channels = view.getUint16(body + 2, true);
			const sampleRate = view.getUint32(body + 4, true);
			const blockAlign = view.getUint16(body + 12, true);
			const bitsPerSample = view.getUint16(body + 14, true);
			if (format === 0xfffe && size >= 40 && body + 26 <= bytes.length) {
				format = view.getUint16(body + 24, true); // sub-format GUID's first two bytes
			}
			if (format !== 1 && format !== 3) throw new Error(`unsupported WAV format ${format}`);
			fmt = { format, channels, sampleRate, bitsPerSample, blockAlign };
		} else if (id === 'data') {
			if (!fmt) throw new Error('WAV data chunk before fmt chunk');
			let dataLength = size;
			const limit = (fileSize ?? Infinity) - body;
			if (size === 0xffffffff || size === 0 || dataLength > limit) dataLength = Number.isFinite(limit) ? limit : size;
			dataLength -= dataLength % fmt.blockAlign;
			return { ...fmt, dataOffset: body, dataLength };
		}
		at = body + size + (size & 1);
	}
	throw new Error('WAV header incomplete: no data chunk in the first bytes');
}

/** Deinterleaves PCM frames to one Float32Array per channel. */
export function pcmToFloat(
	bytes: Uint8Array,
	info: Pick<WavInfo, 'format' | 'channels' | 'bitsPerSample'>
): Float32Array<ArrayBuffer>[] {
	const { channels, bitsPerSample, format } = info;
	const bps = bitsPerSample / 8;
	const frames = Math.floor(bytes.length / (bps * channels));
	const out = Array.from({ length: channels }, () => new Float32Array(frames));
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let f = 0; f < frames; f++) {
		for (let c = 0; c < channels; c++) {
			const at = (f * channels + c) * bps;
			let v: number;
			if (format === 3) v = bitsPerSample === 64 ? view.getFloat64(at, true) : view.getFloat32(at, true);
			else if (bitsPerSample === 16) v = view.getInt16(at, true) / 32768;
			else if (bitsPerSample === 24) {
				const x = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
				v = ((x << 8) >> 8) / 8388608;
			} else if (bitsPerSample === 32) v = view.getInt32(at, true) / 2147483648;
			else if (bitsPerSample === 8) v = (bytes[at] - 128) / 128;
			else throw new Error(`unsupported bit depth ${bitsPerSample}`);
			out[c][f] = v;
		}
	}
	return out;
}

/** A 44-byte header for 16-bit PCM with `frames` frames. */
export function wavHeader(frames: number, channels: number, sampleRate: number): Uint8Array {
	const dataLength = frames * channels * 2;
	const b = new Uint8Array(44);
	const v = new DataView(b.buffer);
	const put = (at: number, s: string) => [...s].forEach((ch, i) => (b[at + i] = ch.charCodeAt(0)));
	put(0, 'RIFF');
	v.setUint32(4, 36 + dataLength, true);
	put(8, 'WAVE');
	put(12, 'fmt ');
	v.setUint32(16, 16, true);
	v.setUint16(20, 1, true);
	v.setUint16(22, channels, true);
	v.setUint32(24, sampleRate, true);
	v.setUint32(28, sampleRate * channels * 2, true);
	v.setUint16(32, channels * 2, true);
	v.setUint16(34, 16, true);
	put(36, 'data');
	v.setUint32(40, dataLength, true);
	return b;
}

/** Interleaved 16-bit PCM (clipped, rounded) from float channels. */
export function floatTo16(channels: Float32Array[], frames = channels[0]?.length ?? 0): Uint8Array {
	const n = channels.length;
	const out = new Uint8Array(frames * n * 2);
	const v = new DataView(out.buffer);
	for (let f = 0; f < frames; f++) {
		for (let c = 0; c < n; c++) {
			const s = Math.max(-1, Math.min(1, channels[c][f]));
			v.setInt16((f * n + c) * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
		}
	}
	return out;
}

/** A whole 16-bit WAV file. */
export function encodeWav(channels: Float32Array[], sampleRate: number): Uint8Array {
	const frames = channels[0]?.length ?? 0;
	const head = wavHeader(frames, channels.length, sampleRate);
	const body = floatTo16(channels, frames);
	const out = new Uint8Array(head.length + body.length);
	out.set(head);
	out.set(body, head.length);
	return out;
}
