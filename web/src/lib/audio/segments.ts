// A remote file read in fixed, aligned byte segments (HTTP Range requests; consecutive
// missing segments in one request), with a shared LRU cache so loops and seeks back do
// not fetch the same bytes twice.

/** Fetches bytes [start, end) of a file. */
export type RangeFetch = (start: number, end: number, signal?: AbortSignal) => Promise<Uint8Array>;

export const DEFAULT_SEGMENT_BYTES = 64 * 1024;

/** Least-recently-used byte cache shared by every stem of the player. */
export class SegmentCache {
	private map = new Map<string, Uint8Array>();
	private bytes = 0;

	constructor(readonly capacity = 48 * 1024 * 1024) {}

	get(key: string): Uint8Array | undefined {
		const v = this.map.get(key);
		if (v) {
			this.map.delete(key);
			this.map.set(key, v);
		}
		return v;
	}

	set(key: string, value: Uint8Array) {
		const old = this.map.get(key);
		if (old) {
			this.bytes -= old.length;
			this.map.delete(key);
		}
		this.map.set(key, value);
		this.bytes += value.length;
		for (const [k, v] of this.map) {
			if (this.bytes <= this.capacity || k === key) break;
			this.map.delete(k);
			this.bytes -= v.length;
		}
	}

	get size(): number {
		return this.bytes;
	}
}

/** Which segments cover [start, end). */
export function segmentsFor(start: number, end: number, segmentBytes: number): number[] {
	if (end <= start) return [];
	const first = Math.floor(start / segmentBytes);
	const last = Math.floor((end - 1) / segmentBytes);
	const out: number[] = [];
	for (let i = first; i <= last; i++) out.push(i);
	return out;
}

export class SegmentedFile {
	private inflight = new Map<number, Promise<Uint8Array>>();

	constructor(
		readonly key: string,
		readonly size: number,
		private fetchRange: RangeFetch,
		private cache: SegmentCache,
		readonly segmentBytes = DEFAULT_SEGMENT_BYTES
	) {}

	private cacheKey(index: number) {
		return `${this.key}#${this.segmentBytes}:${index}`;
	}

	/** The segment from the cache or a request under way, else null. */
	private known(index: number): Promise<Uint8Array> | null {
		const hit = this.cache.get(this.cacheKey(index));
		return hit ? Promise.resolve(hit) : (this.inflight.get(index) ?? null);
	}

	segment(index: number, signal?: AbortSignal): Promise<Uint8Array> {
		return this.known(index) ?? this.fetchRun(index, index + 1, signal)[0];
	}

	/**
	 * Segments [first, last) in one request (a round trip per request is what a seek
	 * waits for), each cached on its own.
	 */
	private fetchRun(first: number, last: number, signal?: AbortSignal): Promise<Uint8Array>[] {
		const start = first * this.segmentBytes;
		const end = Math.min(this.size, last * this.segmentBytes);
		const run = this.fetchRange(start, end, signal);
		const out: Promise<Uint8Array>[] = [];
		for (let i = first; i < last; i++) {
			const from = (i - first) * this.segmentBytes;
			const p = run
				.then((bytes) => {
					const part = last - first === 1 ? bytes : bytes.slice(from, from + this.segmentBytes);
					this.cache.set(this.cacheKey(i), part);
					return part;
				})
				.finally(() => this.inflight.delete(i));
			this.inflight.set(i, p);
			out.push(p);
		}
		return out;
	}

	/** Bytes [start, end), clamped to the file; the segments not at hand in one request per run. */
	async read(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
		start = Math.max(0, start);
		end = Math.min(this.size, end);
		const idx = segmentsFor(start, end, this.segmentBytes);
		const got: (Promise<Uint8Array> | null)[] = idx.map((i) => this.known(i));
		for (let k = 0; k < idx.length; ) {
			if (got[k]) {
				k++;
				continue;
			}
			let n = k;
			while (n < idx.length && !got[n]) n++;
			this.fetchRun(idx[k], idx[n - 1] + 1, signal).forEach((p, j) => (got[k + j] = p));
			k = n;
		}
		const parts = await Promise.all(got as Promise<Uint8Array>[]);
		if (parts.length === 1) {
			const base = idx[0] * this.segmentBytes;
			return parts[0].subarray(start - base, end - base);
		}
		const out = new Uint8Array(end - start);
		let at = 0;
		parts.forEach((p, n) => {
			const base = idx[n] * this.segmentBytes;
			const from = Math.max(0, start - base);
			const to = Math.min(p.length, end - base);
			out.set(p.subarray(from, to), at);
			at += to - from;
		});
		return out;
	}
}

/** Parses `Content-Range: bytes 0-99/1234` → total size (or null). */
export function totalFromContentRange(header: string | null): number | null {
	if (!header) return null;
	const m = /\/(\d+)\s*$/.exec(header);
	return m ? Number(m[1]) : null;
}

/** A RangeFetch over HTTP. A server that ignores Range (200) still works, slower. */
export function httpRange(url: string, fetchImpl: typeof fetch = fetch): RangeFetch {
	return async (start, end, signal) => {
		const res = await fetchImpl(url, {
			headers: { Range: `bytes=${start}-${end - 1}` },
			credentials: 'same-origin',
			signal
		});
		if (res.status === 206) return new Uint8Array(await res.arrayBuffer());
		if (res.ok) return new Uint8Array(await res.arrayBuffer()).slice(start, end);
		throw new Error(`GET ${url} (bytes ${start}-${end - 1}): HTTP ${res.status}`);
	};
}
