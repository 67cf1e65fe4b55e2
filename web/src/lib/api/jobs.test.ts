import { describe, expect, it } from 'vitest';
import { applyJob, finishedNow, isFinished, listedJobs, newer } from './jobs';
import type { Job } from './operations';

function job(over: Partial<Job> = {}): Job {
	return {
		id: 'j1',
		profileId: 'p1',
		recordingId: 'r1',
		kind: 'process',
		state: 'failed',
		progress: 0.1,
		error: 'not audio',
		attempts: 1,
		stage: 'failed',
		originalName: 'Broken take.wav',
		createdAt: '2026-11-24 10:00:00 UTC',
		updatedAt: '2026-11-24 10:00:05.250 UTC',
		dismissedAt: null,
		...over
	};
}

describe('jobs', () => {
	it('knows finished states', () => {
		expect(['queued', 'running', 'succeeded', 'failed', null].map(isFinished)).toEqual([false, false, true, true, false]);
	});

	it('takes the newer copy of a job', () => {
		const failed = job();
		const retried = job({ state: 'queued', error: null, updatedAt: '2026-11-24 10:01:00 UTC' });
		expect(newer(failed, retried)).toBe(retried);
		expect(newer(retried, failed)).toBe(retried);
		expect(newer(null, failed)).toBe(failed);
		expect(newer(failed, undefined)).toBe(failed);
		expect(newer(null, null)).toBeNull();
		// Same time: the later attempt; the same attempt too: the copy already held.
		const second = job({ attempts: 2 });
		expect(newer(failed, second)).toBe(second);
		const copy = job();
		expect(newer(failed, copy)).toBe(failed);
	});

	it('reports a finish only once, not for a job shown finished from the start', () => {
		const failed = job();
		// The subscription of a job listed as failed answers "failed" at once: no news.
		expect(finishedNow(failed, job())).toBe(false);
		// Nothing known before (an upload's first answer), or it was still working: news.
		expect(finishedNow(null, failed)).toBe(true);
		expect(finishedNow(job({ state: 'running' }), failed)).toBe(true);
		expect(finishedNow(job({ state: 'running' }), job({ state: 'succeeded' }))).toBe(true);
		// Retried and failed again: a new attempt, news.
		expect(finishedNow(failed, job({ attempts: 2 }))).toBe(true);
		expect(finishedNow(failed, job({ state: 'running', attempts: 2 }))).toBe(false);
	});

	it('updates the band page list from one job', () => {
		const a = job({ id: 'a', state: 'running', error: null });
		const b = job({ id: 'b' });
		const list = [a, b];
		// Failed: replaced in place.
		const aFailed = job({ id: 'a', updatedAt: '2026-11-24 10:02:00 UTC' });
		expect(applyJob(list, aFailed)).toEqual([aFailed, b]);
		expect(list).toEqual([a, b]);
		// An older copy does not undo a newer one.
		expect(applyJob([aFailed, b], a)).toEqual([aFailed, b]);
		// Retried: queued again in place.
		const bQueued = job({ id: 'b', state: 'queued', error: null, updatedAt: '2026-11-24 10:03:00 UTC' });
		expect(applyJob(list, bQueued)).toEqual([a, bQueued]);
		// Succeeded or dismissed: gone.
		expect(applyJob(list, job({ id: 'a', state: 'succeeded' }))).toEqual([b]);
		expect(applyJob(list, job({ id: 'b', dismissedAt: '2026-11-24 10:04:00 UTC' }))).toEqual([a]);
		// Unknown: added first, unless it is gone already.
		const c = job({ id: 'c' });
		expect(applyJob(list, c)).toEqual([c, a, b]);
		expect(applyJob(list, job({ id: 'c', state: 'succeeded' }))).toBe(list);
	});

	it('lists failed jobs for a day', () => {
		const now = Date.UTC(2026, 10, 25, 10, 0, 0);
		const recent = job({ id: 'recent', updatedAt: '2026-11-24 10:00:01 UTC' });
		const old = job({ id: 'old', updatedAt: '2026-11-24 09:59:59 UTC' });
		const pending = job({ id: 'pending', state: 'queued', updatedAt: '2026-11-01 00:00:00 UTC' });
		expect(listedJobs([recent, old, pending], now).map((j) => j.id)).toEqual(['recent', 'pending']);
	});
});
