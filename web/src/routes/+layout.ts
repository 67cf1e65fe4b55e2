import { redirect } from '@sveltejs/kit';
import { authStatus } from '$lib/api/auth';
import type { LayoutLoad } from './$types';

// A single-page app served by `stemset serve` (index.html fallback); no server rendering.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

export const load: LayoutLoad = async ({ url, fetch, depends }) => {
	depends('app:auth');
	const auth = await authStatus(fetch);
	if (!auth.authenticated && url.pathname !== '/signin') {
		redirect(307, `/signin?return_to=${encodeURIComponent(url.pathname + url.search)}`);
	}
	return { auth };
};
