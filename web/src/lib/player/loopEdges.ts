// Moving a loop's edges (a drag of a handle, the , and . keys): the loop stays at least
// MIN_LOOP long and inside the recording; edges land on the millisecond.

export type Loop = { start: number; end: number };

/** The shortest loop (s). */
export const MIN_LOOP = 0.1;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The loop with its `which` edge moved to `to` (s), within [0, duration]. */
export function moveEdge(loop: Loop, which: 'start' | 'end', to: number, duration: number): Loop {
	return which === 'start'
		? { start: round3(Math.max(0, Math.min(loop.end - MIN_LOOP, to))), end: loop.end }
		: { start: loop.start, end: round3(Math.min(duration, Math.max(loop.start + MIN_LOOP, to))) };
}
