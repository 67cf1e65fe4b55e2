import { error } from '@sveltejs/kit';
import { request } from '$lib/api/client';
import { BandFiledTakesQuery, BandSongsQuery, ProfilesQuery, type FiledTake } from '$lib/api/operations';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
	const { profiles } = await request(ProfilesQuery);
	const profile = profiles.nodes.find((p) => p.name === params.name);
	if (!profile) error(404, `No band called “${params.name}” (or you are not one of its members).`);
	const [{ songs }, takes] = await Promise.all([request(BandSongsQuery, { profileId: profile.id }), filedTakes(profile.id)]);
	return { profile, songs: songs.nodes, takes };
};

/** Every take of the band filed under a song (pages of 500, the server's most). */
async function filedTakes(profileId: string): Promise<FiledTake[]> {
	const out: FiledTake[] = [];
	for (let page = 0; ; page++) {
		const { takes } = await request(BandFiledTakesQuery, { profileId, page });
		out.push(...takes.nodes);
		if (takes.nodes.length < 500) return out;
	}
}
