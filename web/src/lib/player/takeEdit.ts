// Editing takes on the timeline: where a dragged or nudged edge of a take may go, and
// which list actions (split, merge) the API would accept. The server checks the same
// rules (library/src/takes/edit.rs); these keep a drag from asking for what it refuses.

import type { Span } from './takes';

/** A take is at least this long after an edit, and a split leaves this much either side. */
export const MIN_TAKE_SECONDS = 1;
/** ←/→ on a focused edge handle (Shift: NUDGE_BIG). */
export const NUDGE = 0.1;
export const NUDGE_BIG = 1;

export type Edge = 'start' | 'end';

/** Seconds to 0.01 s (what a drag can mean at any zoom). */
export const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Where an edge of `takes[i]` may go: not over its neighbours (touching is fine), not
 * past the recording's ends, and the take stays at least MIN_TAKE_SECONDS long.
 */
export function edgeRange(takes: readonly Span[], i: number, edge: Edge, duration: number): { min: number; max: number } {
	const t = takes[i];
	if (edge === 'start') {
		const min = i > 0 ? takes[i - 1].endSeconds : 0;
		return { min, max: Math.max(min, t.endSeconds - MIN_TAKE_SECONDS) };
	}
	const max = i + 1 < takes.length ? takes[i + 1].startSeconds : duration;
	return { min: Math.min(max, t.startSeconds + MIN_TAKE_SECONDS), max };
}

/**
 * The span of `takes[i]` with one edge moved towards `to`: rounded to 0.01 s, then
 * clamped into edgeRange (so a neighbour's edge is reached exactly).
 */
export function moveTakeEdge(takes: readonly Span[], i: number, edge: Edge, to: number, duration: number): Span {
	const t = takes[i];
	const { min, max } = edgeRange(takes, i, edge, duration);
	const x = Math.min(max, Math.max(min, round2(to)));
	return edge === 'start' ? { startSeconds: x, endSeconds: t.endSeconds } : { startSeconds: t.startSeconds, endSeconds: x };
}

/** A dragged time pulled onto the nearest of `targets` (the play head, say) within `tolerance` s. */
export function snapTo(to: number, targets: readonly number[], tolerance: number): number {
	let best = to;
	let gap = tolerance;
	for (const x of targets) {
		const d = Math.abs(x - to);
		if (d <= gap) {
			best = x;
			gap = d;
		}
	}
	return best;
}

/**
 * Where a dragged edge goes: onto the play head within `tolerance` s, else onto a beat of
 * the take's grid within `beatTolerance` s, where the beats lie at least four tolerances
 * apart (any closer, at this zoom, and the edge could not be placed between them).
 */
export function snapEdge(to: number, time: number | null, beats: readonly number[], tolerance: number, beatTolerance: number): number {
	if (time !== null && Math.abs(time - to) <= tolerance) return time;
	const gaps = beats.slice(1).map((b, i) => b - beats[i]).sort((x, y) => x - y);
	const period = gaps[gaps.length >> 1] ?? Infinity;
	return period >= 4 * beatTolerance ? snapTo(to, beats, beatTolerance) : to;
}

/** A split at the play head is offered while the play head is inside the take. */
export function canSplitAt(t: Span, time: number): boolean {
	return time > t.startSeconds && time < t.endSeconds;
}

/**
 * Why `takes[i]` cannot be merged with the next take, or null when it can: the API
 * merges neighbours only, and not takes filed under different songs.
 */
export function mergeRefusal(takes: readonly (Span & { songId?: string | null })[], i: number): string | null {
	const a = takes[i];
	const b = takes[i + 1];
	if (!a || !b) return 'The last take has no next take to merge with';
	if (a.songId && b.songId && a.songId !== b.songId) return 'The takes are filed under different songs';
	return null;
}

/** A loop exactly on a take's span (the same test as the page's looped take). */
export function sameSpan(a: { start: number; end: number } | null, t: Span): boolean {
	return !!a && Math.abs(a.start - t.startSeconds) < 0.01 && Math.abs(a.end - t.endSeconds) < 0.01;
}

/** What becomes of a loop after an edit of a take: a new span, cleared, or kept as it is. */
export type LoopFollow = { start: number; end: number } | 'clear' | 'keep';

/**
 * Where a loop goes when the take it was exactly on is edited into `to` (one take: moved
 * or merged; two: split, and the loop takes the half the play head is in, else the
 * first; none: deleted, and the loop goes with it). A loop on another take is kept.
 */
export function followedLoop(loop: { start: number; end: number } | null, time: number, from: Span, to: readonly Span[]): LoopFollow {
	if (!sameSpan(loop, from)) return 'keep';
	if (to.length === 0) return 'clear';
	const t = to.find((x) => time >= x.startSeconds && time < x.endSeconds) ?? to[0];
	return { start: t.startSeconds, end: t.endSeconds };
}
