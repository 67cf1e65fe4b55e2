import { error } from '@sveltejs/kit';
import { request } from '$lib/api/client';
import { ProfilesQuery } from '$lib/api/operations';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
	const { profiles } = await request(ProfilesQuery);
	const profile = profiles.nodes.find((p) => p.name === params.name);
	if (!profile) error(404, `No band called “${params.name}” (or you are not one of its members).`);
	return { profile };
};
