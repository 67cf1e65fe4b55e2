// Opus in Ogg (RFC 7845): the ID header, packet durations from the TOC byte (RFC 6716
// §3.1) and sample positions for each packet from the pages' granule positions.

import type { PagePackets } from './ogg';

/** Opus always decodes at 48 kHz; granule positions count 48 kHz samples. */
export const OPUS_RATE = 48000;
/** RFC 7845 §4.6: decode at least 80 ms before a seek target so the decoder converges. */
export const OPUS_PREROLL = 3840;

export interface OpusHead {
	channels: number;
	preSkip: number;
	inputSampleRate: number;
	outputGainDb: number;
	mappingFamily: number;
	/** The whole packet: WebCodecs takes it as the decoder's `description`. */
	packet: Uint8Array;
}

const ascii = (bytes: Uint8Array, start: number, len: number) =>
	String.fromCharCode(...bytes.subarray(start, start + len));

export function isOpusHead(packet: Uint8Array): boolean {
	return packet.length >= 19 && ascii(packet, 0, 8) === 'OpusHead';
}

export function isOpusTags(packet: Uint8Array): boolean {
	return packet.length >= 8 && ascii(packet, 0, 8) === 'OpusTags';
}

export function parseOpusHead(packet: Uint8Array): OpusHead {
	if (!isOpusHead(packet)) throw new Error('not an OpusHead packet');
	const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
	const version = packet[8];
	if (version >> 4 !== 0) throw new Error(`unsupported Opus header version ${version}`);
	return {
		channels: packet[9],
		preSkip: view.getUint16(10, true),
		inputSampleRate: view.getUint32(12, true),
		outputGainDb: view.getInt16(16, true) / 256,
		mappingFamily: packet[18],
		packet
	};
}

/** A copy of the header with pre-skip set to 0: we trim pre-skip ourselves. */
export function withoutPreSkip(head: OpusHead): Uint8Array {
	const copy = head.packet.slice();
	copy[10] = 0;
	copy[11] = 0;
	return copy;
}

/** Samples per frame (at 48 kHz) for each of the 32 TOC configurations. */
function frameSamples(config: number): number {
	if (config < 12) return [480, 960, 1920, 2880][config & 3]; // SILK 10/20/40/60 ms
	if (config < 16) return [480, 960][config & 1]; // Hybrid 10/20 ms
	return [120, 240, 480, 960][config & 3]; // CELT 2.5/5/10/20 ms
}

/** The decoded length of an Opus packet in 48 kHz samples (0 for an empty packet). */
export function packetSamples(packet: Uint8Array): number {
	if (packet.length < 1) return 0;
	const toc = packet[0];
	const perFrame = frameSamples(toc >> 3);
	switch (toc & 3) {
		case 0:
			return perFrame;
		case 1:
		case 2:
			return 2 * perFrame;
		default:
			if (packet.length < 2) return 0;
			return (packet[1] & 0x3f) * perFrame;
	}
}

/** An audio packet placed on the stream's timeline (granule units, pre-skip included). */
export interface TimedPacket {
	data: Uint8Array;
	/** Granule position of its first sample. */
	start: number;
	/** Decoded length. */
	samples: number;
	/** Samples to keep from the start (end trimming on the last page); ≤ samples. */
	keep: number;
}

/**
 * Assigns positions to packets page by page. Started with a known position (the first
 * packet after the headers is at 0) or `null`: then the first page that carries a
 * granule position only sets the clock and its packets are dropped (we came in
 * mid-stream, after a seek).
 */
export class OpusPacketClock {
	position: number | null;

	constructor(start: number | null) {
		this.position = start;
	}

	page({ page, packets }: PagePackets): TimedPacket[] {
		const out: TimedPacket[] = [];
		if (this.position === null) {
			if (page.granule >= 0) this.position = page.granule;
			return out;
		}
		for (const data of packets) {
			if (isOpusHead(data) || isOpusTags(data)) continue;
			const samples = packetSamples(data);
			out.push({ data, start: this.position, samples, keep: samples });
			this.position += samples;
		}
		if (page.granule >= 0 && out.length) {
			if (page.eos && page.granule < this.position) {
				// End trimming: the last page says where the audio stops.
				let excess = this.position - page.granule;
				for (let i = out.length - 1; i >= 0 && excess > 0; i--) {
					const cut = Math.min(excess, out[i].keep);
					out[i].keep -= cut;
					excess -= cut;
				}
				this.position = page.granule;
			} else if (page.granule !== this.position) {
				// Should not happen in a well-formed stream; trust the container.
				const shift = page.granule - this.position;
				for (const p of out) p.start += shift;
				this.position = page.granule;
			}
		}
		return out;
	}
}
