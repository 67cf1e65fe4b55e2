// Test helper: fake Opus streams written with the real Ogg page writer, so the parser
// and the seeker can be tested on streams with known contents.

import { writeStream, type OutPacket } from '../oggwrite';

export type MuxPacket = OutPacket;

export function mux(
	packets: MuxPacket[],
	opts: { maxSegments?: number; serial?: number; flushAfter?: number[] } = {}
): Uint8Array {
	return writeStream(packets, { serial: 0x1234, ...opts });
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
