import { error } from '@sveltejs/kit';
import { request } from '$lib/api/client';
import { SongQuery } from '$lib/api/operations';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GONE = 'This song does not exist, was deleted, or belongs to a band you are not in.';

export const load: PageLoad = async ({ params }) => {
	if (!UUID.test(params.id)) error(404, GONE);
	const { songs } = await request(SongQuery, { id: params.id });
	const song = songs.nodes[0];
	if (!song) error(404, GONE);
	return { song };
};
