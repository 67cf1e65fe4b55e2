import { request } from '$lib/api/client';
import { ProfileRecordingCountQuery, ProfilesQuery } from '$lib/api/operations';
import type { PageLoad } from './$types';

export const load: PageLoad = async () => {
	const { profiles } = await request(ProfilesQuery);
	const bands = await Promise.all(
		profiles.nodes.map(async (p) => {
			const r = await request(ProfileRecordingCountQuery, { profileId: p.id });
			return { ...p, count: r.recordings.paginationInfo?.total ?? r.recordings.nodes.length, latest: r.recordings.nodes[0] ?? null };
		})
	);
	return { bands };
};
