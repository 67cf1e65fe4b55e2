// Seeking in an Ogg stream over Range requests: interpolation search on the pages'
// granule positions (Opus is close to constant bitrate, so 1–3 probes usually do).

import { syncPage, type OggPage } from './ogg';

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

/**
 * The first page at or after `from` (and starting before `limit`) that carries a
 * granule position, or null.
 */
export async function firstGranulePage(
	file: ByteReader,
	from: number,
	limit: number,
	probeBytes: number
): Promise<OggPage | null> {
	let start = from;
	let want = probeBytes;
	while (start < limit) {
		const end = Math.min(file.size, start + want);
		const bytes = await file.read(start, end);
		let at = 0;
		let advanced = false;
		for (;;) {
			const r = syncPage(bytes, at);
			if (r.kind === 'none') break;
			if (r.kind === 'need-more') {
				if (end >= file.size) return null;
				// Re-read from the candidate with enough room for a whole page.
				const next = start + r.from;
				if (next === start) want = Math.max(want * 2, MAX_PAGE);
				start = next;
				advanced = true;
				break;
			}
			const page = { ...r.page, offset: start + r.page.offset };
			if (page.offset >= limit) return null;
			if (page.granule >= 0) return page;
			at = r.page.offset + r.page.length;
		}
		if (!advanced) {
			if (end >= file.size) return null;
			start = end - 3; // a capture pattern may straddle the boundary
		}
	}
	return null;
}

/**
 * The page with the largest granule position ≤ `target` (the point to start decoding
 * after), searching between `lo` (a known page with granule ≤ target) and `hi` (a byte
 * offset from which every page's granule is > target; `hiGranule` estimates the granule
 * there, for interpolation).
 */
export async function seekPage(
	file: ByteReader,
	target: number,
	lo: PagePoint,
	hi: number,
	hiGranule: number,
	probeBytes = 16 * 1024
): Promise<PagePoint> {
	let best = lo;
	let hiOffset = hi;
	let hiG = Math.max(hiGranule, target + 1);
	// Narrow down until the window fits in a couple of probes. Interpolation usually lands
	// next to the target; the probe after it then only has to step a probe's width past it
	// to close the window from above (a forced cut of 1/8 of the window used to walk a long
	// file in eighths: 8–9 serial reads per seek). A step that does not halve the window
	// makes the next one a bisection, so an uneven bitrate still converges.
	let bisect = false;
	for (let step = 0; step < 64 && hiOffset - best.offset > 2 * probeBytes; step++) {
		const span = hiOffset - best.offset;
		const frac = bisect ? 0.5 : (target - best.granule) / Math.max(1, hiG - best.granule);
		const edge = Math.min(probeBytes, Math.floor(span / 8));
		let probe = best.offset + Math.floor(span * frac) - (bisect ? 0 : Math.floor(probeBytes / 2));
		probe = Math.min(Math.max(probe, best.offset + edge), hiOffset - edge);
		const page = await firstGranulePage(file, probe, hiOffset, probeBytes);
		const shrunk = () => hiOffset - best.offset <= span / 2;
		if (!page) {
			hiOffset = probe;
		} else if (page.granule <= target) {
			best = { offset: page.offset, granule: page.granule };
		} else {
			hiOffset = probe;
			hiG = page.granule;
		}
		bisect = !bisect && !shrunk();
	}
	// Linear scan of what is left: the last page with granule ≤ target.
	let at = best.offset;
	for (;;) {
		const page = await firstGranulePage(file, at, hiOffset + MAX_PAGE, probeBytes);
		if (!page || page.granule > target) break;
		if (page.offset > best.offset || page.granule > best.granule)
			best = { offset: page.offset, granule: page.granule };
		at = page.offset + page.length;
	}
	return best;
}

/** The granule position of the last page (from the file's last bytes), or null. */
export async function lastGranule(file: ByteReader): Promise<number | null> {
	for (let back = MAX_PAGE; ; back *= 2) {
		const start = Math.max(0, file.size - back);
		const bytes = await file.read(start, file.size);
		let last: number | null = null;
		let at = 0;
		for (;;) {
			const r = syncPage(bytes, at);
			if (r.kind !== 'found') break;
			if (r.page.granule >= 0) last = r.page.granule;
			at = r.page.offset + r.page.length;
		}
		if (last !== null || start === 0) return last;
	}
}
