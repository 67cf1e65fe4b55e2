import { describe, expect, it } from 'vitest';
import { describeSignInError, loginUrl } from './auth';
import { stemFileName } from './media';
import { looksLikeAudio, uploadMessage } from './uploads';

describe('sign-in', () => {
	it('sends only local paths as return_to', () => {
		expect(loginUrl('/bands/demo?q=a b')).toBe('/auth/login?return_to=%2Fbands%2Fdemo%3Fq%3Da%20b');
		expect(loginUrl('//evil.example')).toBe('/auth/login?return_to=%2F');
		expect(loginUrl('https://evil.example')).toBe('/auth/login?return_to=%2F');
	});

	it('has words for every error the callback sends', () => {
		expect(describeSignInError('not-allowed', 'm@x.org', null).body).toContain('m@x.org');
		expect(describeSignInError('unverified', 'm@x.org', null).title).toMatch(/not verified/);
		expect(describeSignInError('expired', null, null).title).toMatch(/too long/);
		expect(describeSignInError('provider', null, 'access_denied').body).toContain('access_denied');
		expect(describeSignInError('whatever', null, null).title).toMatch(/did not complete/);
	});
});

describe('uploads', () => {
	it('recognises audio by type or extension', () => {
		expect(looksLikeAudio({ name: 'x.bin', type: 'audio/x-wav' })).toBe(true);
		expect(looksLikeAudio({ name: 'Take 1.FLAC', type: '' })).toBe(true);
		expect(looksLikeAudio({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
	});

	it("explains the server's refusals", () => {
		expect(uploadMessage(400, '{"error":"x.wav is not audio"}')).toBe('x.wav is not audio');
		expect(uploadMessage(413, '')).toMatch(/too large/);
		expect(uploadMessage(404, '')).toMatch(/not a member/);
		expect(uploadMessage(401, '')).toMatch(/sign in/);
		expect(uploadMessage(0, '')).toMatch(/interrupted/);
		expect(uploadMessage(502, '<html>')).toBe('The upload failed (HTTP 502).');
	});
});

describe('media', () => {
	it('names downloaded stems after the recording, safely', () => {
		expect(stemFileName('Tuesday: take 2/3', 'vocals', 'opus')).toBe('Tuesday_ take 2_3 - vocals.opus');
		expect(stemFileName('Jam', 'bass', 'flac')).toBe('Jam - bass.flac');
	});
});
