import { describe, expect, it } from 'vitest';
import { OggPacketReader, oggCrc, pagesIn, parsePage, syncPage } from './ogg';
import { fakeOpusStream, mux, packetNumber } from './testing/oggmux';

describe('oggCrc', () => {
	it('matches the reference value for "123456789"', () => {
		// CRC-32/MPEG-2 variant without final xor and init 0 (Ogg): 0x89a1897f
		expect(oggCrc(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
	});
});

describe('parsePage', () => {
	const stream = fakeOpusStream(10);

	it('reads the first page header', () => {
		const r = parsePage(stream, 0);
		expect(r.kind).toBe('page');
		if (r.kind !== 'page') return;
		expect(r.page.bos).toBe(true);
		expect(r.page.granule).toBe(0);
		expect(r.page.serial).toBe(0x1234);
		expect(r.page.bodyLength).toBe(19);
	});

	it('says incomplete for a cut page and invalid for garbage or a bad CRC', () => {
		expect(parsePage(stream.subarray(0, 30), 0).kind).toBe('incomplete');
		expect(parsePage(stream, 1).kind).toBe('invalid');
		const broken = stream.slice();
		broken[30] ^= 0xff;
		expect(parsePage(broken, 0).kind).toBe('invalid');
		expect(parsePage(broken, 0, false).kind).toBe('page');
	});

	it('reads 64-bit granule positions and -1', () => {
		const big = mux([{ data: new Uint8Array(10), granule: 2 ** 40 + 5 }]);
		const r = parsePage(big, 0);
		expect(r.kind === 'page' && r.page.granule).toBe(2 ** 40 + 5);
		const none = mux([{ data: new Uint8Array(600), granule: 99 }], { maxSegments: 1 });
		const pages = pagesIn(none);
		expect(pages.map((p) => p.granule)).toEqual([-1, -1, 99]);
	});
});

describe('syncPage / pagesIn', () => {
	it('finds pages after garbage and skips false capture patterns', () => {
		const stream = fakeOpusStream(5);
		const junk = new TextEncoder().encode('xxOggSyyy');
		const bytes = new Uint8Array(junk.length + stream.length);
		bytes.set(junk);
		bytes.set(stream, junk.length);
		const r = syncPage(bytes, 0);
		expect(r.kind === 'found' && r.page.offset).toBe(junk.length);
		expect(pagesIn(bytes).length).toBe(pagesIn(stream).length);
	});

	it('asks for more bytes when a candidate page is cut off', () => {
		const stream = fakeOpusStream(5);
		const r = syncPage(stream.subarray(0, 60), 5);
		expect(r.kind).toBe('need-more');
	});
});

describe('OggPacketReader', () => {
	it('assembles the same packets whatever the chunking', () => {
		const stream = fakeOpusStream(40, { size: 700, maxSegments: 7 });
		const whole = new OggPacketReader().push(stream).flatMap((p) => p.packets);
		expect(whole.length).toBe(42);
		expect(whole.slice(2).map(packetNumber)).toEqual([...Array(40).keys()]);
		for (const chunk of [1, 7, 100, 4096]) {
			const r = new OggPacketReader();
			const got: Uint8Array[] = [];
			for (let at = 0; at < stream.length; at += chunk) {
				for (const p of r.push(stream.subarray(at, at + chunk))) got.push(...p.packets);
			}
			expect(got.map((p) => p.length)).toEqual(whole.map((p) => p.length));
			expect(got.slice(2).map(packetNumber)).toEqual([...Array(40).keys()]);
			expect(r.consumed).toBe(stream.length);
		}
	});

	it('drops a packet continued from a page it never saw', () => {
		const stream = fakeOpusStream(20, { size: 700, maxSegments: 4 });
		const pages = pagesIn(stream);
		const cont = pages.findIndex((p, i) => i > 2 && p.continued);
		expect(cont).toBeGreaterThan(0);
		const r = new OggPacketReader(pages[cont].offset);
		const out = r.push(stream.subarray(pages[cont].offset));
		expect(out[0].streamOffset).toBe(pages[cont].offset);
		const nums = out.flatMap((p) => p.packets).map(packetNumber);
		// Consecutive from some packet on, up to the last one, none partial.
		expect(nums[nums.length - 1]).toBe(19);
		expect(nums).toEqual([...Array(nums.length).keys()].map((i) => nums[0] + i));
		expect(out.flatMap((p) => p.packets).every((p) => p.length === 700)).toBe(true);
	});
});
