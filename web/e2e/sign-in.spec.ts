// Sign-in through a real OpenID Connect provider (server/tests/oidc-provider): the
// server's /auth/login → the provider's login form → /auth/callback → the app.
import { expect, test, type Page } from '@playwright/test';
import { shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_OIDC_URL });

async function signInAt(page: Page, email: string, name?: string) {
	await page.getByTestId('signin-google').click();
	await expect(page.getByRole('heading', { name: 'Stemset test IdP sign-in' })).toBeVisible();
	await page.getByLabel('Email').fill(email);
	if (name) await page.getByLabel('Name').fill(name);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

test('signs in with the OpenID provider, shows the user, signs out', async ({ page }) => {
	await page.goto('/');
	await expect(page).toHaveURL(/\/signin\?return_to=%2F$/);
	await expect(page.getByRole('heading', { name: /sign in/i })).toBeVisible();
	await shot(page, 'signin');

	await signInAt(page, 'alice@example.com', 'Alice Example');
	await expect(page).toHaveURL(/\/$/);
	await expect(page.getByTestId('band-card').filter({ hasText: 'Demo Band' })).toBeVisible();
	await expect(page.getByTestId('user-menu')).toContainText('Alice Example');
	await page.getByTestId('user-menu').click();
	await expect(page.getByTestId('user-email')).toHaveText('alice@example.com');

	await page.getByRole('menuitem', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/signin\?signed-out=1/);
	await expect(page.getByRole('status')).toHaveText('You are signed out.');
	await page.goto('/bands/demo');
	await expect(page).toHaveURL(/\/signin\?return_to=%2Fbands%2Fdemo$/);
});

test('returns to the page that asked for sign-in', async ({ page }) => {
	await page.goto('/bands/demo');
	await expect(page).toHaveURL(/\/signin\?return_to=/);
	await signInAt(page, 'alice@example.com');
	await expect(page).toHaveURL(/\/bands\/demo$/);
	await expect(page.getByTestId('recording-row').first()).toBeVisible();
});

test('says clearly when the account is not on the allowlist', async ({ page }) => {
	await page.goto('/');
	await signInAt(page, 'mallory@example.com');
	await expect(page).toHaveURL(/\/signin\?.*error=not-allowed/);
	const err = page.getByTestId('signin-error');
	await expect(err).toHaveAttribute('data-error', 'not-allowed');
	await expect(err.getByRole('heading')).toHaveText('This account is not on the list');
	await expect(err).toContainText('mallory@example.com');
	await expect(page.getByTestId('signin-google')).toHaveText(/Try another account/);
	await shot(page, 'signin-not-allowed');
	// Still signed out.
	const status = await (await page.request.get('/auth/status')).json();
	expect(status.authenticated).toBe(false);
});

test('explains the other sign-in errors', async ({ page }) => {
	const cases: [string, RegExp][] = [
		['error=unverified&email=bob%40example.com', /not verified/],
		['error=expired', /took too long/],
		['error=provider&detail=access_denied', /provider said no/],
		['error=something-new', /did not complete/]
	];
	for (const [query, title] of cases) {
		await page.goto(`/signin?${query}`);
		await expect(page.getByTestId('signin-error').getByRole('heading')).toHaveText(title);
	}
	await expect(page.getByTestId('signin-error')).toBeVisible();
});
