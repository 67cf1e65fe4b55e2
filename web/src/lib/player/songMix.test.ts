import { describe, expect, it } from 'vitest';
import { carryMix, loadSongMix, saveSongMix } from './songMix';

function memory() {
	const m = new Map<string, string>();
	return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

const flat = { faderDb: 0, muted: false, soloed: false };

describe('song mix', () => {
	it('carries faders, mute and solo by stem name, per song', () => {
		const s = memory();
		saveSongMix(s, 'song-1', ['Drums', 'bass', 'vocals'], [
			{ faderDb: -6, muted: false, soloed: false },
			{ faderDb: 0, muted: true, soloed: false },
			{ faderDb: 2.5, muted: false, soloed: true }
		]);
		const carried = loadSongMix(s, 'song-1')!;
		// The other take has the stems in another order, one of them new.
		const next = carryMix(['vocals', 'drums', 'keys'], [flat, flat, { faderDb: -3, muted: false, soloed: false }], carried);
		expect(next).toEqual([
			{ faderDb: 2.5, muted: false, soloed: true },
			{ faderDb: -6, muted: false, soloed: false },
			{ faderDb: -3, muted: false, soloed: false }
		]);
		expect(loadSongMix(s, 'song-2')).toBeNull();
	});

	it('applies nothing when no stem matches', () => {
		expect(carryMix(['guitar'], [flat], { drums: { faderDb: -6, muted: true, soloed: false } })).toBeNull();
	});

	it('ignores what it cannot read', () => {
		const s = memory();
		s.setItem('stemset:song-mix:x', '{not json');
		expect(loadSongMix(s, 'x')).toBeNull();
		s.setItem('stemset:song-mix:y', JSON.stringify({ drums: { faderDb: 'loud' }, bass: { faderDb: -1 } }));
		expect(loadSongMix(s, 'y')).toEqual({ bass: { faderDb: -1, muted: false, soloed: false } });
	});
});
