// Time ruler ticks: a "nice" step so labels sit at least ~90 px apart.
import { formatTime } from '$lib/util/time';

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

export function tickStep(duration: number, width: number, minPx = 90): number {
	if (duration <= 0 || width <= 0) return 0;
	const want = (duration * minPx) / width;
	return STEPS.find((s) => s >= want) ?? Math.ceil(want / 3600) * 3600;
}

export function rulerTicks(duration: number, width: number): { time: number; label: string }[] {
	const step = tickStep(duration, width);
	if (!step) return [];
	const out: { time: number; label: string }[] = [];
	for (let t = 0; t < duration - step * 0.3; t += step) out.push({ time: t, label: formatTime(t, false) });
	return out;
}

/** Ticks for the window [start, start + span) of a zoomed timeline (times in seconds). */
export function rulerTicksIn(start: number, span: number, width: number): { time: number; label: string }[] {
	const step = tickStep(span, width);
	if (!step) return [];
	const out: { time: number; label: string }[] = [];
	const end = start + span;
	// (+ 0: a start of 0 gives 0, not -0)
	for (let t = Math.ceil(start / step - 1e-9) * step + 0; t < end - step * 0.3; t += step)
		out.push({ time: t, label: formatTime(t, false) });
	return out;
}
