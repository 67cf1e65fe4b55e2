import { error } from '@sveltejs/kit';
import { request } from '$lib/api/client';
import { RecordingQuery } from '$lib/api/operations';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
	const r = await request(RecordingQuery, { id: params.id });
	const recording = r.recordings.nodes[0];
	if (!recording) error(404, 'This recording does not exist, was deleted, or belongs to a band you are not in.');
	return { recording };
};
