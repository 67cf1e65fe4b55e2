import { expect, test, type Page } from '@playwright/test';
import { shot } from './helpers';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

const NAME = 'Broken take.wav';

/** A WAV header with garbage after it: the upload sniffer takes it, decoding fails. */
function brokenWav(seed: number): Buffer {
	const b = Buffer.alloc(8192);
	b.write('RIFF', 0, 'latin1');
	b.writeUInt32LE(b.length - 8, 4);
	b.write('WAVE', 8, 'latin1');
	let x = (seed | 1) >>> 0;
	for (let i = 12; i < b.length; i += 4) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		b.writeUInt32LE(x >>> 0, i);
	}
	return b;
}

/** Counts the GraphQL operations the page sends: POSTs to /graphql, and subscriptions
 * started over the WebSocket, by operation name. */
function graphqlCounter(page: Page) {
	let ops: string[] = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && new URL(r.url()).pathname === '/graphql') {
			ops.push(/\b(?:query|mutation)\s+(\w+)/.exec(r.postData() ?? '')?.[1] ?? 'anonymous');
		}
	});
	page.on('websocket', (ws) =>
		ws.on('framesent', (f) => {
			const text = typeof f.payload === 'string' ? f.payload : f.payload.toString();
			if (text.includes('"subscribe"')) ops.push(/\bsubscription\s+(\w+)/.exec(text)?.[1] ?? 'subscription');
		})
	);
	return {
		reset: () => (ops = []),
		total: () => ops.length,
		summary: () => {
			const by = new Map<string, number>();
			for (const o of ops) by.set(o, (by.get(o) ?? 0) + 1);
			return [...by].map(([k, n]) => `${k} ×${n}`).join(', ');
		}
	};
}

/** The page's GraphQL traffic over a 3 s window, with the failed job on screen. */
async function countOverThreeSeconds(page: Page, counter: ReturnType<typeof graphqlCounter>, label: string) {
	counter.reset();
	await page.waitForTimeout(3000);
	const n = counter.total();
	console.log(`[failed-job] ${label}: ${n} GraphQL operations in 3 s (${counter.summary() || 'none'})`);
	return n;
}

const processing = (page: Page) => page.getByRole('region', { name: 'Processing' });
const jobRow = (page: Page) => processing(page).getByRole('listitem').filter({ hasText: NAME });

test.afterEach(async ({ request }) => {
	// Leave no failed job behind for the other tests, whatever happened above.
	const r = await request.post('/graphql', {
		data: { query: '{ jobs(filters: { state: { eq: "failed" } }) { nodes { id originalName } } }' }
	});
	const nodes: { id: string; originalName: string | null }[] = (await r.json()).data?.jobs?.nodes ?? [];
	for (const j of nodes.filter((j) => j.originalName === NAME)) {
		await request.post('/graphql', { data: { query: 'mutation($id: ID!) { dismissJob(id: $id) { id } }', variables: { id: j.id } } });
	}
});

test('a failed job: no request flood, not dimmed, retry and dismiss', async ({ page }) => {
	test.setTimeout(120_000);
	const counter = graphqlCounter(page);
	await page.goto('/bands/demo');
	await expect(page.getByTestId('recording-row').first()).toBeVisible();

	// A file that passes the upload checks and fails in processing, for real.
	await page.getByTestId('file-input').setInputFiles({ name: NAME, mimeType: 'audio/wav', buffer: brokenWav(Date.now()) });
	const failedUpload = page.getByTestId('upload-item').filter({ hasText: NAME }).and(page.locator('[data-phase=error]'));
	await expect(jobRow(page).getByTestId('job-status').and(page.locator('[data-state=failed]')).or(failedUpload)).toBeVisible({
		timeout: 60_000
	});

	// The band page opened with the failed job listed: a bounded number of requests.
	await page.reload();
	const row = jobRow(page);
	await expect(row.getByTestId('job-status')).toHaveAttribute('data-state', 'failed');
	await expect(page.getByTestId('recording-row').first()).toBeVisible();
	expect(await countOverThreeSeconds(page, counter, 'band page with a failed job')).toBeLessThanOrEqual(10);

	// The recording list is not dimmed.
	const list = page.locator('ul.rows');
	await expect(list).toHaveAttribute('aria-busy', 'false');
	expect(await list.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');

	// The failure is explained, with the way out.
	await expect(row).toContainText(/fail|not|unsupported|invalid|error/i);
	await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();
	await expect(row.getByRole('button', { name: 'Dismiss' })).toBeVisible();
	await shot(page, 'failed-job');

	// Retry: queued again, a second attempt, which fails again.
	const retried = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('RetryJob'));
	await row.getByRole('button', { name: 'Retry' }).click();
	const body = await (await retried).json();
	expect(body.errors).toBeUndefined();
	expect(body.data.retryJob.state).toBe('queued');
	await expect(row).toContainText('attempt 2', { timeout: 60_000 });
	await expect(row.getByTestId('job-status')).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
	await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();
	expect(await countOverThreeSeconds(page, counter, 'after the retry failed again')).toBeLessThanOrEqual(10);
	await expect(list).toHaveAttribute('aria-busy', 'false');

	// Dismiss: gone, and it stays gone.
	await row.getByRole('button', { name: 'Dismiss' }).click();
	await expect(row).toHaveCount(0);
	await page.reload();
	await expect(page.getByTestId('recording-row').first()).toBeVisible();
	await expect(jobRow(page)).toHaveCount(0);
});
