import { describe, expect, it } from 'vitest';
import { encodeWav, floatTo16, parseWavHeader, pcmToFloat } from './wav';

describe('WAV', () => {
	it('writes a file that parses back to the same samples (16-bit)', () => {
		const l = Float32Array.from([0, 0.5, -0.5, 1, -1]);
		const r = Float32Array.from([0.25, -0.25, 0, 2, -2]);
		const file = encodeWav([l, r], 44100);
		const info = parseWavHeader(file, file.length);
		expect(info).toMatchObject({ format: 1, channels: 2, sampleRate: 44100, bitsPerSample: 16, dataOffset: 44, dataLength: 20 });
		const [l2, r2] = pcmToFloat(file.subarray(info.dataOffset), info);
		expect(l2[1]).toBeCloseTo(0.5, 3);
		expect(r2[1]).toBeCloseTo(-0.25, 3);
		// Clipped at full scale.
		expect(r2[3]).toBeCloseTo(1, 3);
		expect(r2[4]).toBe(-1);
	});

	it('reads 24-bit and float PCM', () => {
		const b24 = Uint8Array.of(0x00, 0x00, 0x40, 0x00, 0x00, 0xc0); // +0.5, -0.5
		expect([...pcmToFloat(b24, { format: 1, channels: 1, bitsPerSample: 24 })[0]]).toEqual([0.5, -0.5]);
		const f = new Uint8Array(new Float32Array([0.125, -1]).buffer);
		expect([...pcmToFloat(f, { format: 3, channels: 1, bitsPerSample: 32 })[0]]).toEqual([0.125, -1]);
	});

	it('skips unknown chunks and clamps the data length to the file', () => {
		const base = encodeWav([new Float32Array(10)], 8000);
		const list = Uint8Array.of(0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0); // "LIST", odd size + pad
		const file = new Uint8Array(base.length + list.length);
		file.set(base.subarray(0, 36));
		file.set(list, 36);
		file.set(base.subarray(36), 36 + list.length);
		const info = parseWavHeader(file, file.length - 4);
		expect(info.dataOffset).toBe(44 + list.length);
		expect(info.dataLength).toBe(16);
	});

	it('rounds 16-bit samples symmetrically', () => {
		const pcm = floatTo16([Float32Array.from([1, -1, 0])]);
		const v = new DataView(pcm.buffer);
		expect([v.getInt16(0, true), v.getInt16(2, true), v.getInt16(4, true)]).toEqual([32767, -32768, 0]);
	});
});
