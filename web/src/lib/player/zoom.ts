// The timeline's visible window: which stretch of the recording the lanes show, zoomed
// from the whole recording ("fit") down to MIN_SPAN seconds across.

export interface View {
	/** Seconds at the left edge. */
	start: number;
	/** Seconds across. */
	span: number;
}

/** The closest zoom: this many seconds across the lanes. */
export const MIN_SPAN = 5;
/** Each +/− button press zooms by this factor. */
export const STEP = 2;

export const fit = (duration: number): View => ({ start: 0, span: Math.max(0, duration) });

/** The view moved/resized to stay inside the recording and not under MIN_SPAN. */
export function clampView(v: View, duration: number): View {
	if (duration <= 0) return { start: 0, span: 0 };
	const span = Math.min(duration, Math.max(Math.min(MIN_SPAN, duration), v.span));
	const start = Math.min(duration - span, Math.max(0, v.start));
	return { start, span };
}

export const isZoomed = (v: View, duration: number) => duration > 0 && v.span < duration - 1e-6;

/** Zooms by `factor` (>1: in) keeping the time at `anchor` (0–1 across the lanes) still. */
export function zoomBy(v: View, factor: number, anchor: number, duration: number): View {
	const a = Math.max(0, Math.min(1, anchor));
	const at = v.start + a * v.span;
	// The span is limited first, so that the anchor stays put at the limits.
	const span = clampView({ start: 0, span: v.span / factor }, duration).span;
	return clampView({ start: at - a * span, span }, duration);
}

/** Where a time falls across the lanes (0: left edge, 1: right edge; outside: beyond). */
export const fractionOf = (v: View, t: number) => (v.span > 0 ? (t - v.start) / v.span : 0);

/** The time at a fraction across the lanes. */
export const timeAtFraction = (v: View, f: number) => v.start + f * v.span;

/**
 * Following the play head: when it is outside the window, the window turns a page so
 * that it is near the left edge (like a DAW); else the same view.
 */
export function follow(v: View, time: number, duration: number): View {
	if (v.span <= 0 || (time >= v.start && time <= v.start + v.span)) return v;
	return clampView({ start: time - v.span * 0.05, span: v.span }, duration);
}

/** Zooms by `factor` around the play head when it is in view, else around the middle. */
export function zoomAround(v: View, factor: number, time: number, duration: number): View {
	const f = fractionOf(v, time);
	return zoomBy(v, factor, f >= 0 && f <= 1 ? f : 0.5, duration);
}
