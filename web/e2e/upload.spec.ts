import { expect, test } from '@playwright/test';
import { makeWav, shot } from './helpers';
import { formatBytes } from '../src/lib/util/time';

test.use({ baseURL: process.env.STEMSET_E2E_BYPASS_URL });

test('uploads a file, follows the job and the new recording appears', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/bands/demo');
	await expect(page.getByTestId('recording-row').first()).toBeVisible();
	const before = await page.getByTestId('recording-row').count();

	const wav = makeWav(8, Date.now() % 1000);
	await page.getByTestId('file-input').setInputFiles({ name: 'New idea.wav', mimeType: 'audio/wav', buffer: wav });
	const item = page.getByTestId('upload-item').filter({ hasText: 'New idea.wav' });
	await expect(item).toBeVisible();
	await expect(item.getByTestId('job-status')).toBeVisible({ timeout: 60_000 });
	await shot(page, 'upload-processing');
	await expect(item).toHaveAttribute('data-phase', 'done', { timeout: 150_000 });
	// The size shown is the file's, not the multipart body XHR counted (a few hundred bytes more).
	const size = item.getByTestId('upload-size');
	await expect(size).toHaveAttribute('data-bytes', String(wav.length));
	await expect(size).toHaveText(formatBytes(wav.length));
	await expect(page.getByTestId('recording-row')).toHaveCount(before + 1);
	const row = page.getByTestId('recording-row').filter({ hasText: 'New idea' });
	await expect(row).toContainText('4 stems');
	await expect(row).toContainText('0:08');
	await shot(page, 'upload-done');

	// The same file again: the server knows it.
	await page.getByTestId('file-input').setInputFiles({ name: 'New idea (copy).wav', mimeType: 'audio/wav', buffer: wav });
	const copy = page.getByTestId('upload-item').filter({ hasText: 'New idea (copy).wav' });
	await expect(copy).toHaveAttribute('data-phase', 'duplicate');
	await expect(copy.getByRole('link', { name: 'Open' })).toBeVisible();

	// Delete the new recording, with confirmation.
	await row.getByTestId('delete').click();
	const dialog = page.getByRole('dialog', { name: 'Delete this recording?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText('New idea');
	await shot(page, 'delete-confirm');
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toBeHidden();
	await expect(row).toBeVisible();
	await row.getByTestId('delete').click();
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(row).toHaveCount(0);
	await page.reload();
	await expect(page.getByTestId('recording-row').filter({ hasText: 'New idea' })).toHaveCount(0);
});

test('drag and drop: refuses what is not audio', async ({ page }) => {
	await page.goto('/bands/demo');
	const drop = async (name: string, type: string, content: string) => {
		const dt = await page.evaluateHandle(
			([name, type, content]) => {
				const dt = new DataTransfer();
				dt.items.add(new File([content], name, { type }));
				return dt;
			},
			[name, type, content]
		);
		await page.getByTestId('dropzone').dispatchEvent('dragenter', { dataTransfer: dt });
		await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
	};
	await drop('setlist.txt', 'text/plain', '1. intro');
	await expect(page.getByTestId('upload-item').filter({ hasText: 'setlist.txt' })).toContainText('Not an audio file.');
	// Named like audio, but it is not: the server says so.
	await drop('fake.wav', 'audio/wav', 'this is not a wav file at all');
	const fake = page.getByTestId('upload-item').filter({ hasText: 'fake.wav' });
	await expect(fake).toHaveAttribute('data-phase', 'error');
	await expect(fake).toContainText(/not audio/i);
	// The whole body went up (the server read it to refuse it); the size is still the file's 29 bytes.
	await expect(fake.getByTestId('upload-size')).toHaveText('29 B');
});
