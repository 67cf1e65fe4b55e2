// The player's place in its URL, so a link opens it there: ?t=83.2 (the play head, s),
// ?loop=50-86 (the loop, s), ?take=2 (the second take, counted from 1). Other query
// parameters (e.g. ?decoder=) are left alone.

export interface PlayerPlace {
	t?: number;
	loop?: { start: number; end: number };
	take?: number;
}

const KEYS = ['t', 'loop', 'take'] as const;

/** Seconds as the URL writes them: tenths, no trailing zeros ("83.2", "50"). */
export function formatSeconds(s: number): string {
	return String(Math.round(Math.max(0, s) * 10) / 10);
}

function seconds(v: string | null): number | undefined {
	if (v === null || v.trim() === '') return undefined;
	const n = Number(v);
	return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Reads ?t, ?loop, ?take; what is malformed is ignored. */
export function parsePlace(params: URLSearchParams): PlayerPlace {
	const out: PlayerPlace = {};
	const t = seconds(params.get('t'));
	if (t !== undefined) out.t = t;
	const m = /^\s*([\d.]+)\s*[-–,]\s*([\d.]+)\s*$/.exec(params.get('loop') ?? '');
	if (m) {
		const a = seconds(m[1]);
		const b = seconds(m[2]);
		if (a !== undefined && b !== undefined && Math.abs(b - a) >= 0.05) out.loop = { start: Math.min(a, b), end: Math.max(a, b) };
	}
	const take = params.get('take');
	if (take && /^\d+$/.test(take) && Number(take) >= 1) out.take = Number(take);
	return out;
}

/** `params` with the place written in (and stale t/loop/take taken out). */
export function withPlace(params: URLSearchParams, place: PlayerPlace): URLSearchParams {
	const out = new URLSearchParams(params);
	for (const k of KEYS) out.delete(k);
	if (place.take !== undefined) out.set('take', String(place.take));
	if (place.t !== undefined && place.t >= 0.05) out.set('t', formatSeconds(place.t));
	if (place.loop) out.set('loop', `${formatSeconds(place.loop.start)}-${formatSeconds(place.loop.end)}`);
	return out;
}

/**
 * What the URL should say for the player's state: a loop that is a take's span is
 * written as ?take=N (and the play head only when it is not at that take's start).
 */
export function placeOf(
	time: number,
	loop: { start: number; end: number } | null,
	loopedTake: number,
	takes: readonly { startSeconds: number }[]
): PlayerPlace {
	if (loopedTake >= 0 && takes[loopedTake]) {
		const start = takes[loopedTake].startSeconds;
		return Math.abs(time - start) < 0.05 ? { take: loopedTake + 1 } : { take: loopedTake + 1, t: time };
	}
	return loop ? { t: time, loop } : { t: time };
}
