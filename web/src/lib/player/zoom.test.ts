import { describe, expect, it } from 'vitest';
import { clampView, fit, follow, fractionOf, isZoomed, MIN_SPAN, timeAtFraction, zoomBy } from './zoom';

describe('timeline zoom', () => {
	it('fits the whole recording', () => {
		expect(fit(86)).toEqual({ start: 0, span: 86 });
		expect(isZoomed(fit(86), 86)).toBe(false);
	});

	it('zooms around the anchor, keeping it still', () => {
		const v = zoomBy(fit(80), 2, 0.5, 80);
		expect(v).toEqual({ start: 20, span: 40 });
		const w = zoomBy(v, 2, 0.25, 80); // the time at a quarter across (30 s) stays there
		expect(w.span).toBe(20);
		expect(timeAtFraction(w, 0.25)).toBeCloseTo(30);
		expect(isZoomed(w, 80)).toBe(true);
	});

	it(`stops at ${MIN_SPAN} s across and at the whole recording`, () => {
		let v = fit(300);
		for (let i = 0; i < 20; i++) v = zoomBy(v, 2, 0.5, 300);
		expect(v.span).toBe(MIN_SPAN);
		expect(v.start).toBeCloseTo(150 - MIN_SPAN / 2);
		for (let i = 0; i < 20; i++) v = zoomBy(v, 0.5, 0.5, 300);
		expect(v).toEqual({ start: 0, span: 300 });
		// A recording shorter than the limit just fits.
		expect(zoomBy(fit(3), 4, 0.5, 3)).toEqual({ start: 0, span: 3 });
	});

	it('stays inside the recording', () => {
		expect(clampView({ start: -5, span: 10 }, 60)).toEqual({ start: 0, span: 10 });
		expect(clampView({ start: 58, span: 10 }, 60)).toEqual({ start: 50, span: 10 });
		expect(zoomBy({ start: 50, span: 10 }, 0.5, 1, 60)).toEqual({ start: 40, span: 20 });
	});

	it('maps times and fractions', () => {
		const v = { start: 40, span: 20 };
		expect(fractionOf(v, 45)).toBe(0.25);
		expect(fractionOf(v, 70)).toBe(1.5);
		expect(timeAtFraction(v, 0.5)).toBe(50);
	});

	it('turns a page when the play head leaves the window', () => {
		const v = { start: 0, span: 10 };
		expect(follow(v, 5, 60)).toBe(v);
		expect(follow(v, 10.2, 60)).toEqual({ start: 10.2 - 0.5, span: 10 });
		expect(follow(v, 59, 60)).toEqual({ start: 50, span: 10 });
		expect(follow({ start: 30, span: 10 }, 2, 60)).toEqual({ start: 1.5, span: 10 });
	});
});

describe('zoomAround', () => {
	it('keeps the play head still when it is in view, else zooms on the middle', async () => {
		const { zoomAround } = await import('./zoom');
		const v = zoomAround({ start: 0, span: 80 }, 2, 20, 80);
		expect(v).toEqual({ start: 10, span: 40 });
		expect(zoomAround({ start: 0, span: 20 }, 2, 50, 80)).toEqual({ start: 5, span: 10 });
	});
});
