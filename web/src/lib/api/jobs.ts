// What the app does with a job's updates: which copy of a job is current, when an update
// is news (the job just finished), and the band page's list of jobs after each event.
import type { Job } from './operations';
import { parseTimestamp } from '$lib/util/time';

/** A job that will not change by itself any more. */
export function isFinished(state: string | null | undefined): boolean {
	return state === 'succeeded' || state === 'failed';
}

/** The newer of two copies of one job: the later `updatedAt`, then the later attempt. */
export function newer(a: Job | null | undefined, b: Job | null | undefined): Job | null {
	if (!a) return b ?? null;
	if (!b) return a;
	const ta = parseTimestamp(a.updatedAt).getTime();
	const tb = parseTimestamp(b.updatedAt).getTime();
	if (ta !== tb) return tb > ta ? b : a;
	return b.attempts > a.attempts ? b : a;
}

/** Whether `next` tells that the job just finished: it is finished, and `known` (what we
 * knew before it) was not this very outcome. A job shown as failed from the start is no
 * news when its subscription says so again. */
export function finishedNow(known: Pick<Job, 'state' | 'attempts'> | null | undefined, next: Job): boolean {
	if (!isFinished(next.state)) return false;
	return !known || known.state !== next.state || known.attempts !== next.attempts;
}

/** The band page's jobs after `job` changed: a succeeded job leaves the list (its
 * recording is in the library now), a dismissed one too; others are replaced in place,
 * or added first when new. */
export function applyJob(jobs: Job[], job: Job): Job[] {
	const gone = job.state === 'succeeded' || !!job.dismissedAt;
	const i = jobs.findIndex((j) => j.id === job.id);
	if (gone) return i < 0 ? jobs : jobs.filter((j) => j.id !== job.id);
	if (i < 0) return [job, ...jobs];
	const next = jobs.slice();
	next[i] = newer(jobs[i], job) ?? job;
	return next;
}

/** The jobs the band page lists: pending ones, and failed ones of the last day. */
export function listedJobs(jobs: Job[], now = Date.now()): Job[] {
	const dayAgo = now - 24 * 3600 * 1000;
	return jobs.filter((j) => j.state !== 'failed' || parseTimestamp(j.updatedAt).getTime() > dayAgo);
}
