// Sign-in state from the server (/auth/status) and sign-out.

export interface AuthUser {
	id: string;
	email: string;
	name: string | null;
}

export interface AuthStatus {
	authenticated: boolean;
	bypass: boolean;
	via?: 'session' | 'api_token' | 'bypass';
	user: AuthUser | null;
	loginUrl?: string;
}

export async function authStatus(fetchImpl: typeof fetch = fetch): Promise<AuthStatus> {
	const res = await fetchImpl('/auth/status', { credentials: 'same-origin', headers: { accept: 'application/json' } });
	if (!res.ok) throw new Error(`/auth/status: HTTP ${res.status}`);
	return res.json();
}

/** Where the "Sign in with Google" button goes; `returnTo` must be a local path. */
export function loginUrl(returnTo: string, base = '/auth/login'): string {
	const safe = returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
	return `${base}?return_to=${encodeURIComponent(safe)}`;
}

export async function signOut(): Promise<void> {
	await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
}

export type SignInError = 'not-allowed' | 'unverified' | 'provider' | 'expired' | string;

/** The words for each sign-in failure the server's callback can send back. */
export function describeSignInError(
	error: SignInError,
	email: string | null,
	detail: string | null
): { title: string; body: string } {
	switch (error) {
		case 'not-allowed':
			return {
				title: 'This account is not on the list',
				body: `${email ?? 'This account'} signed in fine, but this Stemset only lets in its bands' members. Ask a band owner to add ${email ? 'this address' : 'your address'} to the band, then try again — or sign in with another account.`
			};
		case 'unverified':
			return {
				title: 'Your email address is not verified',
				body: `The sign-in provider has not verified ${email ?? 'your email address'}. Verify it with the provider, then sign in again.`
			};
		case 'expired':
			return {
				title: 'That sign-in took too long',
				body: 'The sign-in attempt expired or was started in another tab. Start again.'
			};
		case 'provider':
			return {
				title: 'The sign-in provider said no',
				body: `Signing in did not complete${detail ? `: ${detail}` : '.'} Try again in a moment.`
			};
		default:
			return { title: 'Sign-in did not complete', body: detail ?? 'Something went wrong while signing in. Try again.' };
	}
}
