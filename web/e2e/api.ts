// GraphQL from the tests (the bypass server needs no sign-in): set up and clean up data.
import { expect, type APIRequestContext } from '@playwright/test';

export async function gql<T = Record<string, unknown>>(
	request: APIRequestContext,
	query: string,
	variables: Record<string, unknown> = {}
): Promise<T> {
	const r = await request.post('/graphql', { data: { query, variables } });
	expect(r.ok()).toBe(true);
	const body = (await r.json()) as { data?: T; errors?: { message: string }[] };
	if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
	return body.data as T;
}

export async function bandId(request: APIRequestContext, name: string): Promise<string> {
	const d = await gql<{ profiles: { nodes: { id: string; name: string }[] } }>(
		request,
		'{ profiles(pagination: { page: { limit: 200, page: 0 } }) { nodes { id name } } }'
	);
	const p = d.profiles.nodes.find((x) => x.name === name);
	if (!p) throw new Error(`no band ${name}`);
	return p.id;
}

export interface TakeRef {
	id: string;
	startSeconds: number;
	songId: string | null;
	suggestedSongId: string | null;
}

/** A band's recording by title, with its takes in time order. */
export async function recordingWithTakes(
	request: APIRequestContext,
	profileId: string,
	title: string
): Promise<{ id: string; takes: TakeRef[] }> {
	const d = await gql<{ recordings: { nodes: { id: string; takes: { nodes: TakeRef[] } }[] } }>(
		request,
		`query($p: String!, $t: String!) { recordings(filters: { profileId: { eq: $p }, title: { eq: $t } }) {
			nodes { id takes(orderBy: { startSeconds: ASC }) { nodes { id startSeconds songId suggestedSongId } } } } }`,
		{ p: profileId, t: title }
	);
	const r = d.recordings.nodes[0];
	if (!r) throw new Error(`no recording ${title}`);
	return { id: r.id, takes: r.takes.nodes };
}

/** Deletes the band's songs of these titles (left over from an earlier run). */
export async function deleteSongs(request: APIRequestContext, profileId: string, titles: string[]) {
	const d = await gql<{ songs: { nodes: { id: string; title: string }[] } }>(
		request,
		'query($p: String!) { songs(filters: { profileId: { eq: $p } }, pagination: { page: { limit: 500, page: 0 } }) { nodes { id title } } }',
		{ p: profileId }
	);
	for (const s of d.songs.nodes)
		if (titles.includes(s.title)) await gql(request, 'mutation($id: ID!) { deleteSong(id: $id) }', { id: s.id });
}

export async function createSong(request: APIRequestContext, profileId: string, title: string, takeId?: string): Promise<string> {
	const d = await gql<{ createSong: { id: string } }>(
		request,
		'mutation($p: ID!, $t: String!, $k: ID) { createSong(profileId: $p, title: $t, takeId: $k) { id } }',
		{ p: profileId, t: title, k: takeId ?? null }
	);
	return d.createSong.id;
}

export async function assignTake(request: APIRequestContext, takeId: string, songId: string) {
	await gql(request, 'mutation($id: ID!, $s: ID!) { assignTake(id: $id, songId: $s) { id } }', { id: takeId, s: songId });
}
