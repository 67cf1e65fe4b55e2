// The Songs view's arithmetic: how many takes a song has, the rehearsals (recordings)
// they come from, and the order a song's takes are listed in.
import { parseTimestamp } from '$lib/util/time';

interface RecordingRef {
	id: string;
	recordedAt: string;
}

/** A song's takes in a summary: their number and the dates of their recordings, oldest first. */
export function songSummary(takes: readonly { recording?: RecordingRef | null }[]): { count: number; dates: Date[] } {
	const byRecording = new Map<string, Date>();
	for (const t of takes) if (t.recording) byRecording.set(t.recording.id, parseTimestamp(t.recording.recordedAt));
	const dates = [...byRecording.values()].sort((a, b) => a.getTime() - b.getTime());
	return { count: takes.length, dates };
}

/** A song's takes oldest to newest: by their recording's date, then their place in it. */
export function orderTakes<T extends { position: number; recording?: RecordingRef | null }>(takes: readonly T[]): T[] {
	const when = (t: T) => (t.recording ? parseTimestamp(t.recording.recordedAt).getTime() : Infinity);
	return [...takes].sort(
		(a, b) =>
			when(a) - when(b) ||
			(a.recording?.id ?? '').localeCompare(b.recording?.id ?? '') ||
			a.position - b.position
	);
}

/** Titles A–Z the way people read them ("song 2" before "song 10", case ignored). */
export function byTitle<T extends { title: string }>(songs: readonly T[]): T[] {
	return [...songs].sort((a, b) => a.title.localeCompare(b.title, undefined, { numeric: true, sensitivity: 'base' }));
}

/** A rehearsal date, e.g. "3 Dec 2026". */
export function formatDay(d: Date): string {
	return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** The take after `takeId` in a song's ordered takes (after the last: the first); null when it has no other. */
export function nextTakeOf<T extends { id: string }>(ordered: readonly T[], takeId: string): T | null {
	const i = ordered.findIndex((t) => t.id === takeId);
	if (ordered.length < 2 || i < 0) return null;
	return ordered[(i + 1) % ordered.length];
}
