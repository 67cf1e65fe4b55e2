// Writing Ogg pages (RFC 3533): used to wrap a run of Opus packets as a small Ogg file
// for decodeAudioData when WebCodecs is not available, and by the tests.

import { oggCrc } from './ogg';

export const FLAG_CONTINUED = 1;
export const FLAG_BOS = 2;
export const FLAG_EOS = 4;

/** One page from its body parts and lacing values. */
export function writePage(
	body: Uint8Array[],
	lacing: number[],
	flags: number,
	granule: number,
	serial: number,
	sequence: number
): Uint8Array {
	const bodyLen = body.reduce((n, b) => n + b.length, 0);
	const out = new Uint8Array(27 + lacing.length + bodyLen);
	const v = new DataView(out.buffer);
	out.set([0x4f, 0x67, 0x67, 0x53], 0);
	out[5] = flags;
	if (granule < 0) {
		v.setUint32(6, 0xffffffff, true);
		v.setUint32(10, 0xffffffff, true);
	} else {
		v.setUint32(6, granule % 0x100000000, true);
		v.setUint32(10, Math.floor(granule / 0x100000000), true);
	}
	v.setUint32(14, serial, true);
	v.setUint32(18, sequence, true);
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

export interface OutPacket {
	data: Uint8Array;
	/** Granule position after this packet. */
	granule: number;
}

/**
 * Packs packets into pages of at most `maxSegments` lacing values (packets may span
 * pages); `flushAfter` lists packet indexes that must end a page (headers). The last page
 * is marked end-of-stream.
 */
export function writeStream(
	packets: OutPacket[],
	opts: { maxSegments?: number; serial?: number; flushAfter?: number[] } = {}
): Uint8Array {
	const maxSeg = opts.maxSegments ?? 255;
	const serial = opts.serial ?? 0x5354454d;
	const flushAfter = new Set(opts.flushAfter ?? []);
	type Pending = { body: Uint8Array[]; lacing: number[]; granule: number; continued: boolean };
	const pages: Pending[] = [];
	let cur: Pending = { body: [], lacing: [], granule: -1, continued: false };
	const close = (continuedNext: boolean) => {
		pages.push(cur);
		cur = { body: [], lacing: [], granule: -1, continued: continuedNext };
	};
	packets.forEach((p, idx) => {
		let rest = p.data.length;
		let at = 0;
		for (;;) {
			if (cur.lacing.length === maxSeg) close(at > 0);
			const n = Math.min(255, rest);
			cur.lacing.push(n);
			cur.body.push(p.data.subarray(at, at + n));
			at += n;
			rest -= n;
			if (n < 255) break;
		}
		cur.granule = p.granule;
		if (flushAfter.has(idx) && idx < packets.length - 1) close(false);
	});
	if (cur.lacing.length) pages.push(cur);
	const bytes = pages.map((pg, i) =>
		writePage(
			pg.body,
			pg.lacing,
			(pg.continued ? FLAG_CONTINUED : 0) | (i === 0 ? FLAG_BOS : 0) | (i === pages.length - 1 ? FLAG_EOS : 0),
			pg.granule,
			serial,
			i
		)
	);
	const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
	let at = 0;
	for (const b of bytes) {
		out.set(b, at);
		at += b.length;
	}
	return out;
}
