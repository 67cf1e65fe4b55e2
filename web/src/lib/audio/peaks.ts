// The server's precomputed waveform peaks ("STPK"): parse and bucket to pixel columns.
//
// Layout (little endian): "STPK", u32 version (1), u32 sample rate, u32 frames per
// peak, u64 peak count, then count × (i8 min, i8 max) in -127..127.

export interface Peaks {
	sampleRate: number;
	framesPerPeak: number;
	count: number;
	/** Interleaved min, max pairs. */
	data: Int8Array;
}

const HEADER = 24;

export function parsePeaks(buf: ArrayBuffer | Uint8Array): Peaks {
	const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
	if (bytes.length < HEADER) throw new Error('peaks file too short');
	const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
	if (magic !== 'STPK') throw new Error(`not a peaks file (magic ${JSON.stringify(magic)})`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const version = view.getUint32(4, true);
	if (version !== 1) throw new Error(`unsupported peaks version ${version}`);
	const sampleRate = view.getUint32(8, true);
	const framesPerPeak = view.getUint32(12, true);
	const count = Number(view.getBigUint64(16, true));
	const available = Math.floor((bytes.length - HEADER) / 2);
	if (available < count) throw new Error(`peaks file truncated: ${available} of ${count} peaks`);
	const data = new Int8Array(bytes.buffer, bytes.byteOffset + HEADER, count * 2);
	return { sampleRate, framesPerPeak, count, data };
}

/** Seconds covered by the peaks. */
export function peaksDuration(p: Peaks): number {
	return (p.count * p.framesPerPeak) / p.sampleRate;
}

/**
 * Min/max per column (values -1..1) for the time range [t0, t1) seconds drawn into
 * `columns` columns. Columns past the data are 0.
 */
export function bucketPeaks(
	p: Peaks,
	t0: number,
	t1: number,
	columns: number
): { min: Float32Array; max: Float32Array } {
	const min = new Float32Array(columns);
	const max = new Float32Array(columns);
	const perSec = p.sampleRate / p.framesPerPeak;
	const span = (t1 - t0) * perSec;
	for (let c = 0; c < columns; c++) {
		const a = t0 * perSec + (c / columns) * span;
		const b = t0 * perSec + ((c + 1) / columns) * span;
		let i0 = Math.floor(a);
		let i1 = Math.max(i0 + 1, Math.ceil(b));
		i0 = Math.max(0, i0);
		i1 = Math.min(p.count, i1);
		let lo = 0;
		let hi = 0;
		for (let i = i0; i < i1; i++) {
			const mn = p.data[2 * i];
			const mx = p.data[2 * i + 1];
			if (mn < lo) lo = mn;
			if (mx > hi) hi = mx;
		}
		min[c] = lo / 127;
		max[c] = hi / 127;
	}
	return { min, max };
}
