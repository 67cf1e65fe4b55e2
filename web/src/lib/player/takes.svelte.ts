// The recording page's takes and the band's songs, and what members change about them
// (a take's song, a suggestion confirmed, its bounds moved, split, merged, deleted)
// through the GraphQL API. Every change reloads the list: filing a take can suggest its
// song for the other takes, and an edit of the bounds renumbers them.

import { request } from '$lib/api/client';
import {
	AssignTake,
	ConfirmTakeSuggestion,
	CreateSong,
	RecordingTakesQuery,
	UnassignTake,
	type RecordingTakes,
	type Song,
	type Take
} from '$lib/api/operations';
import { DeleteTake, MergeTakes, SetTakeBounds, SplitTake } from '$lib/api/takeEdits';
import type { Span } from './takes';

/** An edit of spans: what took `from`'s place (none: deleted; two: split). */
export type SpanEdit = (from: Span, to: Span[]) => void;

export class TakesState {
	readonly recordingId: string;
	profileId = $state('');
	takes = $state.raw<Take[]>([]);
	songs = $state.raw<Song[]>([]);
	error = $state<string | null>(null);
	/** The take a change is being saved for (its controls wait). */
	busy = $state<string | null>(null);
	/** Told after a span edit is saved (the page moves a loop that was on that take). */
	onspan: SpanEdit | null = null;

	constructor(recordingId: string, initial: RecordingTakes | null, loadError: string | null = null) {
		this.recordingId = recordingId;
		if (initial) this.apply(initial);
		this.error = loadError;
	}

	private apply(r: RecordingTakes) {
		this.profileId = r.profileId;
		this.takes = r.takes.nodes;
		this.songs = r.profile?.songs.nodes ?? [];
	}

	async refresh() {
		const r = await request(RecordingTakesQuery, { id: this.recordingId });
		const rec = r.recordings.nodes[0];
		if (rec) this.apply(rec);
	}

	private async change(takeId: string, f: () => Promise<unknown>, what: string): Promise<boolean> {
		this.busy = takeId;
		this.error = null;
		try {
			await f();
			await this.refresh();
			return true;
		} catch (e) {
			this.error = `${what}: ${(e as Error).message}`;
			return false;
		} finally {
			this.busy = null;
		}
	}

	/** Files a take under a song of the band, or under none (`null`). */
	setSong(take: Take, songId: string | null) {
		if (songId === take.songId) return Promise.resolve(true);
		return songId
			? this.change(take.id, () => request(AssignTake, { id: take.id, songId }), 'Could not file the take')
			: this.change(take.id, () => request(UnassignTake, { id: take.id }), 'Could not take the take off its song');
	}

	/** Creates a song of the band with this take filed under it. */
	createSong(take: Take, title: string) {
		return this.change(
			take.id,
			() => request(CreateSong, { profileId: this.profileId, title: title.trim(), takeId: take.id }),
			'Could not create the song'
		);
	}

	confirm(take: Take) {
		return this.change(take.id, () => request(ConfirmTakeSuggestion, { id: take.id }), 'Could not confirm the suggestion');
	}

	/** Moves a take's start and end (the takes row's edge handles). */
	setBounds(take: Take, start: number, end: number) {
		return this.change(
			take.id,
			async () => {
				const r = await request(SetTakeBounds, { id: take.id, start, end });
				this.onspan?.(take, [r.setTakeBounds]);
			},
			'Could not move the take'
		);
	}

	/** Splits a take in two at `at` seconds. */
	split(take: Take, at: number) {
		return this.change(
			take.id,
			async () => {
				const r = await request(SplitTake, { id: take.id, at });
				this.onspan?.(take, r.splitTake);
			},
			'Could not split the take'
		);
	}

	/** Merges a take with the next one (into one take from its start to the other's end). */
	merge(take: Take, next: Take) {
		return this.change(
			take.id,
			async () => {
				const r = await request(MergeTakes, { id: take.id, otherId: next.id });
				this.onspan?.(take, [r.mergeTakes]);
				this.onspan?.(next, [r.mergeTakes]);
			},
			'Could not merge the takes'
		);
	}

	remove(take: Take) {
		return this.change(
			take.id,
			async () => {
				await request(DeleteTake, { id: take.id });
				this.onspan?.(take, []);
			},
			'Could not delete the take'
		);
	}
}
