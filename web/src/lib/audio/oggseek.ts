// Seeking in an Ogg stream over Range requests: interpolation search on the pages'
// granule positions (Opus is close to constant bitrate, so 1–3 reads usually do), from
// what earlier reads of the stream have shown.

import { syncPage } from './ogg';

export interface ByteReader {
	readonly size: number;
	read(start: number, end: number): Promise<Uint8Array>;
}

/** A page boundary with a known granule position. */
export interface PagePoint {
	offset: number;
	granule: number;
}

/** Largest Ogg page: 27 + 255 header bytes + 255 × 255 body bytes. */
export const MAX_PAGE = 65307;

/** A page of the stream seen so far: where it starts and ends, and its granule (-1: none). */
interface SeenPage {
	offset: number;
	end: number;
	granule: number;
}

/**
 * The pages of one stream seen so far (from the seeks' reads and from playback), so a
 * seek starts from the tightest window they leave, and one between two adjacent known
 * pages needs no read at all.
 */
export class PageIndex {
	private byOffset = new Map<number, SeenPage>();
	/** The pages with a granule position, by offset (granules grow with offsets). */
	private timed: SeenPage[] = [];

	add(offset: number, length: number, granule: number) {
		if (this.byOffset.has(offset)) return;
		const p = { offset, end: offset + length, granule };
		this.byOffset.set(offset, p);
		if (granule < 0) return;
		let lo = 0;
		let hi = this.timed.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.timed[mid].offset < offset) lo = mid + 1;
			else hi = mid;
		}
		this.timed.splice(lo, 0, p);
	}

	/** Every complete page in `bytes` (read from stream offset `at`); how many were new. */
	scan(bytes: Uint8Array, at: number): number {
		const before = this.byOffset.size;
		for (let i = 0; ; ) {
			const r = syncPage(bytes, i);
			if (r.kind !== 'found') break;
			this.add(at + r.page.offset, r.page.length, r.page.granule);
			i = r.page.offset + r.page.length;
		}
		return this.byOffset.size - before;
	}

	/** Index of the last timed page with granule ≤ target (the latest of equals), or -1. */
	private floorIndex(target: number): number {
		let lo = 0;
		let hi = this.timed.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.timed[mid].granule <= target) lo = mid + 1;
			else hi = mid;
		}
		return lo - 1;
	}

	/** The known pages either side of `target`: the last with granule ≤ it, the first above. */
	around(target: number): { below: SeenPage | null; above: SeenPage | null } {
		const i = this.floorIndex(target);
		return { below: this.timed[i] ?? null, above: this.timed[i + 1] ?? null };
	}

	/** Whether every byte from `from` to `to` is known pages without a granule position. */
	joined(from: number, to: number): boolean {
		for (let at = from; at !== to; ) {
			const p = this.byOffset.get(at);
			if (!p || p.granule >= 0 || p.end > to) return false;
			at = p.end;
		}
		return true;
	}
}

/**
 * The page with the largest granule position ≤ `target` (the point to start decoding
 * after), searching between `lo` (a known page with granule ≤ target) and `hi` (a byte
 * offset from which every page's granule is > target; `hiGranule` estimates the granule
 * there, for interpolation). Reads `chunk`-aligned ranges (the player's segments) around
 * where interpolation puts the target, keeps every page they hold in `index`, and stops
 * when the pages either side of the target are adjacent. Known pages narrow the window
 * first, so a seek near an earlier one reads little or nothing.
 */
export async function seekPage(
	file: ByteReader,
	target: number,
	lo: PagePoint,
	hi: number,
	hiGranule: number,
	chunk = 16 * 1024,
	index = new PageIndex()
): Promise<PagePoint> {
	// A read that did not halve the window makes the next one a bisection, so an uneven
	// bitrate still converges.
	let window = Infinity;
	for (let step = 0; step < 64; step++) {
		const { below, above } = index.around(target);
		// The window: from the end of the best page below (or `lo`) to the first above (or `hi`).
		const a = below && below.offset >= lo.offset ? below : null;
		const best = a ? { offset: a.offset, granule: a.granule } : lo;
		const from = a ? a.end : lo.offset;
		const to = above && above.offset < hi ? above.offset : hi;
		if (a && index.joined(from, to)) return best;
		if (from >= to) return best;
		const gFrom = best.granule;
		const gTo = above && above.offset < hi ? above.granule : Math.max(hiGranule, target + 1);
		const bisect = to - from > window / 2;
		window = to - from;
		let start: number;
		let end: number;
		if (to - from <= chunk) {
			[start, end] = [from, to];
		} else {
			// Interpolation (Opus is close to constant bitrate): around where the target
			// should be, on chunk boundaries (the player's segments, fetched in one request),
			// more before it than after, so that the page to start from and the next ones
			// (what playback reads first) are most likely in this one read.
			const frac = bisect ? 0.5 : (target - gFrom) / Math.max(1, gTo - gFrom);
			const guess = from + Math.floor((to - from) * frac);
			start = Math.max(from, Math.floor((guess - (chunk * 3) / 4) / chunk) * chunk);
			end = Math.min(to, Math.ceil((guess + chunk / 2) / chunk) * chunk);
		}
		// No whole page in it (a page longer than the chunk): widen until one is.
		while (index.scan(await file.read(start, end), start) === 0) {
			if (start <= from && end >= to) return best;
			start = Math.max(from, start - chunk);
			end = Math.min(to, end + chunk);
		}
	}
	const last = index.around(target).below;
	return last && last.offset >= lo.offset ? { offset: last.offset, granule: last.granule } : lo;
}

/** The granule position of the last page (from the file's last bytes, kept in `index`), or null. */
export async function lastGranule(file: ByteReader, index = new PageIndex()): Promise<number | null> {
	for (let back = MAX_PAGE; ; back *= 2) {
		const start = Math.max(0, file.size - back);
		index.scan(await file.read(start, file.size), start);
		const last = index.around(Infinity).below;
		if ((last && last.offset >= start) || start === 0) return last?.granule ?? null;
	}
}
