// "Switching between two takes of a song keeps the stem mix": the faders, mute and solo
// of the last take played of a song, by stem name, kept for the browser tab
// (sessionStorage), and put on the stems of the next take of it opened.
import type { StemMix } from '$lib/audio/gain';

type Store = Pick<Storage, 'getItem' | 'setItem'>;

const key = (songId: string) => `stemset:song-mix:${songId}`;
const norm = (name: string) => name.trim().toLowerCase();

export type CarriedMix = Record<string, StemMix>;

export function saveSongMix(store: Store, songId: string, names: readonly string[], mix: readonly StemMix[]) {
	const out: CarriedMix = {};
	names.forEach((n, i) => {
		const m = mix[i];
		if (m) out[norm(n)] = { faderDb: m.faderDb, muted: m.muted, soloed: m.soloed };
	});
	try {
		store.setItem(key(songId), JSON.stringify(out));
	} catch {
		/* storage full or blocked: the mix just does not carry over */
	}
}

export function loadSongMix(store: Store, songId: string): CarriedMix | null {
	try {
		const raw = store.getItem(key(songId));
		if (!raw) return null;
		const v = JSON.parse(raw) as unknown;
		if (!v || typeof v !== 'object') return null;
		const out: CarriedMix = {};
		for (const [k, m] of Object.entries(v as Record<string, Partial<StemMix>>)) {
			if (typeof m?.faderDb === 'number' && Number.isFinite(m.faderDb))
				out[k] = { faderDb: m.faderDb, muted: !!m.muted, soloed: !!m.soloed };
		}
		return out;
	} catch {
		return null;
	}
}

/**
 * The mix for stems `names` with the carried settings on the stems of the same name
 * (the others keep theirs); null when no stem matches.
 */
export function carryMix(names: readonly string[], mix: readonly StemMix[], carried: CarriedMix): StemMix[] | null {
	let hits = 0;
	const next = names.map((n, i) => {
		const c = carried[norm(n)];
		if (!c) return { ...mix[i] };
		hits++;
		return { ...c };
	});
	return hits > 0 ? next : null;
}
