import { error } from '@sveltejs/kit';
import { request } from '$lib/api/client';
import { RecordingQuery, RecordingTakesQuery, type RecordingTakes } from '$lib/api/operations';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
	// The takes load beside the recording; the player works without them.
	const takes = request(RecordingTakesQuery, { id: params.id }).then(
		(r) => ({ takes: (r.recordings.nodes[0] ?? null) as RecordingTakes | null, takesError: null }),
		(e: Error) => ({ takes: null, takesError: `Could not load the takes: ${e.message}` })
	);
	const r = await request(RecordingQuery, { id: params.id });
	const recording = r.recordings.nodes[0];
	if (!recording) error(404, 'This recording does not exist, was deleted, or belongs to a band you are not in.');
	return { recording, ...(await takes) };
};
