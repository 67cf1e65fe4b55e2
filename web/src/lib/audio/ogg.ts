// Ogg framing (RFC 3533): page headers, CRC, resynchronisation, packet assembly.
//
// Pure and allocation-light: the streaming player feeds it byte ranges of a stem file
// and gets back pages with the packets that complete on them.

/** A page header as found at `offset` in the buffer that was parsed. */
export interface OggPage {
	offset: number;
	/** 1: continues a packet from the previous page. */
	continued: boolean;
	bos: boolean;
	eos: boolean;
	/** Position after the last packet completed on this page; -1 when none completes. */
	granule: number;
	serial: number;
	sequence: number;
	lacing: Uint8Array;
	headerLength: number;
	bodyLength: number;
	/** Header plus body. */
	length: number;
}

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"
const MIN_HEADER = 27;

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let i = 0; i < 256; i++) {
		let r = i << 24;
		for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
		table[i] = r >>> 0;
	}
	return table;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0). */
export function oggCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
	let crc = 0;
	for (let i = start; i < end; i++) {
		crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
	}
	return crc >>> 0;
}

function isCapture(bytes: Uint8Array, at: number): boolean {
	return (
		bytes[at] === CAPTURE[0] &&
		bytes[at + 1] === CAPTURE[1] &&
		bytes[at + 2] === CAPTURE[2] &&
		bytes[at + 3] === CAPTURE[3]
	);
}

/** Reads a little-endian 64-bit granule position; all ones (-1) stays -1. */
function readGranule(view: DataView, at: number): number {
	const lo = view.getUint32(at, true);
	const hi = view.getUint32(at + 4, true);
	if (lo === 0xffffffff && hi === 0xffffffff) return -1;
	return hi * 0x100000000 + lo;
}

export type PageParse =
	| { kind: 'page'; page: OggPage }
	| { kind: 'incomplete' }
	| { kind: 'invalid' };

/**
 * Parses the page that starts at `offset`. `incomplete` when the buffer ends before the
 * page does, `invalid` when there is no valid page there (wrong capture pattern, version
 * or CRC).
 */
export function parsePage(bytes: Uint8Array, offset: number, checkCrc = true): PageParse {
	if (bytes.length - offset < MIN_HEADER) {
		// Too short to tell, unless what we have already cannot be a page.
		for (let i = 0; i < Math.min(4, bytes.length - offset); i++) {
			if (bytes[offset + i] !== CAPTURE[i]) return { kind: 'invalid' };
		}
		return { kind: 'incomplete' };
	}
	if (!isCapture(bytes, offset) || bytes[offset + 4] !== 0) return { kind: 'invalid' };
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const flags = bytes[offset + 5];
	if (flags & ~0x07) return { kind: 'invalid' };
	const segments = bytes[offset + 26];
	const headerLength = MIN_HEADER + segments;
	if (bytes.length - offset < headerLength) return { kind: 'incomplete' };
	const lacing = bytes.subarray(offset + MIN_HEADER, offset + headerLength);
	let bodyLength = 0;
	for (let i = 0; i < segments; i++) bodyLength += lacing[i];
	const length = headerLength + bodyLength;
	if (bytes.length - offset < length) return { kind: 'incomplete' };
	if (checkCrc) {
		const stored = view.getUint32(offset + 22, true);
		// The CRC is computed with its own field zeroed.
		const copy = bytes.slice(offset, offset + length);
		copy[22] = copy[23] = copy[24] = copy[25] = 0;
		if (oggCrc(copy) !== stored) return { kind: 'invalid' };
	}
	return {
		kind: 'page',
		page: {
			offset,
			continued: (flags & 0x01) !== 0,
			bos: (flags & 0x02) !== 0,
			eos: (flags & 0x04) !== 0,
			granule: readGranule(view, offset + 6),
			serial: view.getUint32(offset + 14, true),
			sequence: view.getUint32(offset + 18, true),
			lacing,
			headerLength,
			bodyLength,
			length
		}
	};
}

/**
 * The offset of the first valid page at or after `from`, or -1. When a candidate runs
 * past the end of the buffer it cannot be verified; `-2` then says "need more bytes
 * from this offset" via {@link SyncResult}.
 */
export type SyncResult =
	| { kind: 'found'; page: OggPage }
	| { kind: 'need-more'; from: number }
	| { kind: 'none' };

export function syncPage(bytes: Uint8Array, from: number): SyncResult {
	for (let i = Math.max(0, from); i < bytes.length; i++) {
		if (bytes[i] !== 0x4f) continue;
		const r = parsePage(bytes, i);
		if (r.kind === 'page') return { kind: 'found', page: r.page };
		if (r.kind === 'incomplete') return { kind: 'need-more', from: i };
	}
	return { kind: 'none' };
}

/** All complete pages in `bytes` from `from` on (resyncing over garbage). */
export function pagesIn(bytes: Uint8Array, from = 0): OggPage[] {
	const pages: OggPage[] = [];
	let at = from;
	for (;;) {
		const r = syncPage(bytes, at);
		if (r.kind !== 'found') break;
		pages.push(r.page);
		at = r.page.offset + r.page.length;
	}
	return pages;
}

/** A page with the packets that complete on it. */
export interface PagePackets {
	page: OggPage;
	/** Byte offset of the page in the stream (the reader's base + position). */
	streamOffset: number;
	packets: Uint8Array[];
}

function concat(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0];
	let total = 0;
	for (const p of parts) total += p.length;
	const out = new Uint8Array(total);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/**
 * Streaming packet assembly: push consecutive byte ranges of one logical stream (from
 * a page boundary on), get back each complete page and the packets completing on it.
 * A packet continued from a page the reader never saw is dropped.
 */
export class OggPacketReader {
	private carry: Uint8Array = new Uint8Array(0);
	private partial: Uint8Array[] | null = null;
	private serial: number | null = null;
	/** Stream offset of `carry[0]`. */
	private carryOffset: number;

	constructor(startOffset = 0) {
		this.carryOffset = startOffset;
	}

	/** The stream offset up to which bytes have been consumed as complete pages. */
	get consumed(): number {
		return this.carryOffset;
	}

	push(chunk: Uint8Array): PagePackets[] {
		const bytes = this.carry.length ? concat([this.carry, chunk]) : chunk;
		const out: PagePackets[] = [];
		let at = 0;
		for (;;) {
			const r = parsePage(bytes, at);
			if (r.kind === 'incomplete') break;
			if (r.kind === 'invalid') {
				// Lost sync (should not happen in a well-formed file): resync forward.
				const s = syncPage(bytes, at + 1);
				this.partial = null;
				if (s.kind === 'found') {
					at = s.page.offset;
					continue;
				}
				at = s.kind === 'need-more' ? s.from : bytes.length;
				break;
			}
			const page = r.page;
			if (this.serial === null) this.serial = page.serial;
			if (page.serial === this.serial) out.push(this.assemble(bytes, page, this.carryOffset + at));
			at += page.length;
		}
		this.carry = bytes.slice(at);
		this.carryOffset += at;
		return out;
	}

	private assemble(bytes: Uint8Array, page: OggPage, streamOffset: number): PagePackets {
		const packets: Uint8Array[] = [];
		let parts: Uint8Array[] | null = page.continued ? this.partial : null;
		let pos = page.offset + page.headerLength;
		let segStart = pos;
		// A page that does not say "continued" starts a fresh packet.
		if (!page.continued) this.partial = null;
		let dropping = page.continued && this.partial === null;
		for (let i = 0; i < page.lacing.length; i++) {
			pos += page.lacing[i];
			if (page.lacing[i] < 255) {
				const piece = bytes.slice(segStart, pos);
				if (!dropping) packets.push(parts ? concat([...parts, piece]) : piece);
				dropping = false;
				parts = null;
				segStart = pos;
			}
		}
		if (segStart < pos || (page.lacing.length && page.lacing[page.lacing.length - 1] === 255)) {
			const piece = bytes.slice(segStart, pos);
			this.partial = dropping ? null : [...(parts ?? []), piece];
		} else {
			this.partial = null;
		}
		return { page, streamOffset, packets };
	}
}
