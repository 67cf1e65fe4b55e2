// Takes on the timeline: which take the play head is in, and where the previous / next
// take key goes. Takes are in time order (the query sorts them by start).

export interface Span {
	startSeconds: number;
	endSeconds: number;
}

/** Within this much of a take's start, "previous" goes to the take before it. */
export const PREVIOUS_GRACE = 0.75;

/** The index of the take the play head is in, or -1 (between takes). */
export function takeAt<T extends Span>(takes: readonly T[], time: number): number {
	return takes.findIndex((t) => time >= t.startSeconds && time < t.endSeconds);
}

/** The first take starting after the play head, or -1. */
export function nextTake<T extends Span>(takes: readonly T[], time: number): number {
	return takes.findIndex((t) => t.startSeconds > time + 0.05);
}

/**
 * Like a music player's "previous": the start of the take the play head is in (or the
 * last one before it), or the take before that when already at its start. -1: none.
 */
export function previousTake<T extends Span>(takes: readonly T[], time: number): number {
	for (let i = takes.length - 1; i >= 0; i--) if (takes[i].startSeconds < time - PREVIOUS_GRACE) return i;
	return -1;
}

/** Confidence (0–1) as a word for tooltips. */
export function confidenceWord(c: number): string {
	return c >= 0.66 ? 'high' : c >= 0.33 ? 'medium' : 'low';
}

/** What a take is called on the timeline and in the list. */
export function takeLabel(
	t: { kind: string; song?: { title: string } | null },
	index: number
): string {
	if (t.song) return t.song.title;
	return t.kind === 'false_start' ? 'False start' : `Take ${index + 1}`;
}
