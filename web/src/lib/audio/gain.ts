// Gain math: decibels, the fader taper, loudness matching from measured LUFS, and
// which stems are heard under mute and solo.

/** The server's bounds for a saved stem gain (setStemGain). */
export const FADER_MIN_DB = -60;
export const FADER_MAX_DB = 12;
/** Ceiling for a loudness-matching boost, in dBTP after the offset. */
export const TRUE_PEAK_CEILING = -1;
/** Loudness matching never moves a stem by more than this. */
export const MAX_MATCH_CUT = -24;
export const MAX_MATCH_BOOST = 12;

export function dbToGain(db: number): number {
	if (!Number.isFinite(db)) return db > 0 ? Infinity : 0;
	return Math.pow(10, db / 20);
}

export function gainToDb(gain: number): number {
	return gain <= 0 ? -Infinity : 20 * Math.log10(gain);
}

export function clamp(x: number, lo: number, hi: number): number {
	return Math.min(hi, Math.max(lo, x));
}

/** Rounds to the fader's 0.5 dB grid and clamps to the server's range. */
export function snapDb(db: number): number {
	return clamp(Math.round(db * 2) / 2, FADER_MIN_DB, FADER_MAX_DB);
}

// Fader taper: the top 75% of the travel covers -24..+12 dB linearly (where mixing
// happens), the bottom 25% the rest down to -60 dB.
const KNEE_POS = 0.25;
const KNEE_DB = -24;

/** Fader position 0..1 → dB. */
export function faderToDb(pos: number): number {
	pos = clamp(pos, 0, 1);
	if (pos >= KNEE_POS)
		return KNEE_DB + ((pos - KNEE_POS) / (1 - KNEE_POS)) * (FADER_MAX_DB - KNEE_DB);
	return FADER_MIN_DB + (pos / KNEE_POS) * (KNEE_DB - FADER_MIN_DB);
}

/** dB → fader position 0..1 (inverse of {@link faderToDb}). */
export function dbToFader(db: number): number {
	db = clamp(db, FADER_MIN_DB, FADER_MAX_DB);
	if (db >= KNEE_DB) return KNEE_POS + ((db - KNEE_DB) / (FADER_MAX_DB - KNEE_DB)) * (1 - KNEE_POS);
	return ((db - FADER_MIN_DB) / (KNEE_DB - FADER_MIN_DB)) * KNEE_POS;
}

export interface Loudness {
	lufs: number | null;
	truePeakDbtp: number | null;
}

/**
 * Loudness-matching offsets in dB: every stem brought to the same integrated loudness
 * (the mean of the measured ones, so the mix stays about as loud), boosts limited so
 * no stem's true peak passes -1 dBTP. Silent stems (no LUFS) get 0.
 */
export function loudnessOffsets(stems: Loudness[]): number[] {
	const measured = stems.map((s) => s.lufs).filter((l): l is number => l !== null && Number.isFinite(l));
	if (!measured.length) return stems.map(() => 0);
	const target = measured.reduce((a, b) => a + b, 0) / measured.length;
	return stems.map((s) => {
		if (s.lufs === null || !Number.isFinite(s.lufs)) return 0;
		let offset = clamp(target - s.lufs, MAX_MATCH_CUT, MAX_MATCH_BOOST);
		if (offset > 0 && s.truePeakDbtp !== null) {
			offset = Math.max(0, Math.min(offset, TRUE_PEAK_CEILING - s.truePeakDbtp));
		}
		return Math.round(offset * 10) / 10;
	});
}

export interface StemMix {
	faderDb: number;
	muted: boolean;
	soloed: boolean;
}

/** Is each stem heard? With any solo, only the soloed ones; else all but the muted. */
export function audible(stems: StemMix[]): boolean[] {
	const anySolo = stems.some((s) => s.soloed);
	return stems.map((s) => (anySolo ? s.soloed : !s.muted));
}

/** Linear gain of each stem: fader + loudness offset, 0 when not heard. */
export function stemGains(stems: StemMix[], offsets: number[] | null): number[] {
	const on = audible(stems);
	return stems.map((s, i) => (on[i] ? dbToGain(s.faderDb + (offsets ? offsets[i] : 0)) : 0));
}

/** "+3.0 dB", "-12.5 dB", "-∞ dB". */
export function formatDb(db: number, digits = 1): string {
	if (!Number.isFinite(db)) return db > 0 ? '+∞ dB' : '-∞ dB';
	const v = db.toFixed(digits);
	return `${db > 0 && Number(v) !== 0 ? '+' : ''}${Number(v) === 0 ? (0).toFixed(digits) : v} dB`;
}
