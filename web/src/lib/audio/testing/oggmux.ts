// Test helper: a minimal Ogg muxer (RFC 3533) that writes real pages with real CRCs,
// so the parser and the seeker can be tested on streams with known contents.

import { oggCrc } from '../ogg';

export interface MuxPacket {
	data: Uint8Array;
	/** Granule position after this packet (written on the page where it completes). */
	granule: number;
}

function page(
	body: Uint8Array[],
	lacing: number[],
	flags: number,
	granule: number,
	serial: number,
	seq: number
): Uint8Array {
	const bodyLen = body.reduce((n, b) => n + b.length, 0);
	const out = new Uint8Array(27 + lacing.length + bodyLen);
	const v = new DataView(out.buffer);
	out.set([0x4f, 0x67, 0x67, 0x53], 0);
	out[4] = 0;
	out[5] = flags;
	if (granule < 0) {
		v.setUint32(6, 0xffffffff, true);
		v.setUint32(10, 0xffffffff, true);
	} else {
		v.setUint32(6, granule % 0x100000000, true);
		v.setUint32(10, Math.floor(granule / 0x100000000), true);
	}
	v.setUint32(14, serial, true);
	v.setUint32(18, seq, true);
	out[26] = lacing.length;
	out.set(lacing, 27);
	let at = 27 + lacing.length;
	for (const b of body) {
		out.set(b, at);
		at += b.length;
	}
	v.setUint32(22, oggCrc(out), true);
	return out;
}

/**
 * Packs packets into pages of at most `maxSegments` lacing values (packets may span
 * pages). `flushAfter` lists packet indexes that must end a page (e.g. headers).
 */
export function mux(
	packets: MuxPacket[],
	opts: { maxSegments?: number; serial?: number; flushAfter?: number[] } = {}
): Uint8Array {
	const maxSeg = opts.maxSegments ?? 255;
	const serial = opts.serial ?? 0x1234;
	const flushAfter = new Set(opts.flushAfter ?? []);
	const pages: Uint8Array[] = [];
	let lacing: number[] = [];
	let body: Uint8Array[] = [];
	let granule = -1;
	let continued = false;
	let seq = 0;
	let continuedNext = false;
	const emit = (last: boolean) => {
		const flags = (continued ? 1 : 0) | (seq === 0 ? 2 : 0) | (last ? 4 : 0);
		pages.push(page(body, lacing, flags, granule, serial, seq++));
		lacing = [];
		body = [];
		granule = -1;
		continued = false;
	};
	packets.forEach((p, idx) => {
		let rest = p.data.length;
		let at = 0;
		for (;;) {
			if (lacing.length === maxSeg) {
				continuedNext = at > 0;
				emit(false);
				continued = continuedNext;
			}
			const n = Math.min(255, rest);
			lacing.push(n);
			body.push(p.data.subarray(at, at + n));
			at += n;
			rest -= n;
			if (n < 255) break;
		}
		granule = p.granule;
		if (flushAfter.has(idx)) emit(false);
	});
	if (lacing.length) emit(true);
	else if (pages.length) {
		// Mark the last page as end of stream (rewrite its flag and CRC).
		const last = pages[pages.length - 1];
		last[5] |= 4;
		last.fill(0, 22, 26);
		new DataView(last.buffer, last.byteOffset).setUint32(22, oggCrc(last), true);
	}
	const total = pages.reduce((n, p) => n + p.length, 0);
	const out = new Uint8Array(total);
	let at = 0;
	for (const p of pages) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** An OpusHead packet. */
export function opusHead(channels = 2, preSkip = 312, rate = 48000): Uint8Array {
	const b = new Uint8Array(19);
	const v = new DataView(b.buffer);
	[...'OpusHead'].forEach((c, i) => (b[i] = c.charCodeAt(0)));
	b[8] = 1;
	b[9] = channels;
	v.setUint16(10, preSkip, true);
	v.setUint32(12, rate, true);
	v.setInt16(16, 0, true);
	b[18] = 0;
	return b;
}

export function opusTags(): Uint8Array {
	const vendor = 'test';
	const b = new Uint8Array(8 + 4 + vendor.length + 4);
	const v = new DataView(b.buffer);
	[...'OpusTags'].forEach((c, i) => (b[i] = c.charCodeAt(0)));
	v.setUint32(8, vendor.length, true);
	[...vendor].forEach((c, i) => (b[12 + i] = c.charCodeAt(0)));
	v.setUint32(12 + vendor.length, 0, true);
	return b;
}

/**
 * A fake Opus stream: headers, then `count` CELT 20 ms packets (960 samples; TOC 0xfc,
 * stereo, code 0) of `size` bytes whose 2nd..5th bytes hold the packet number, so a
 * test can tell which packet it got. The last page's granule trims `trim` samples.
 */
export function fakeOpusStream(count: number, opts: { size?: number; preSkip?: number; trim?: number; maxSegments?: number } = {}) {
	const size = opts.size ?? 200;
	const preSkip = opts.preSkip ?? 312;
	const packets: MuxPacket[] = [
		{ data: opusHead(2, preSkip), granule: 0 },
		{ data: opusTags(), granule: 0 }
	];
	for (let i = 0; i < count; i++) {
		const d = new Uint8Array(size);
		d[0] = 0xfc;
		new DataView(d.buffer).setUint32(1, i, true);
		const end = (i + 1) * 960;
		packets.push({ data: d, granule: i === count - 1 ? end - (opts.trim ?? 0) : end });
	}
	return mux(packets, { flushAfter: [0, 1], maxSegments: opts.maxSegments });
}

export const packetNumber = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset).getUint32(1, true);
