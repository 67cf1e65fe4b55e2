import { describe, expect, it } from 'vitest';
import { shortcutFor } from './keys';
import { rulerTicks, rulerTicksIn, tickStep } from './ruler';

const key = (k: string, shiftKey = false) => ({ key: k, shiftKey });

describe('shortcutFor', () => {
	it('maps the documented keys', () => {
		expect(shortcutFor(key(' '))).toEqual({ kind: 'toggle' });
		expect(shortcutFor(key('ArrowLeft'))).toEqual({ kind: 'seek', by: -5 });
		expect(shortcutFor(key('ArrowRight', true))).toEqual({ kind: 'seek', by: 15 });
		expect(shortcutFor(key('3'))).toEqual({ kind: 'select', index: 2 });
		expect(shortcutFor(key('M'))).toEqual({ kind: 'mute' });
		expect(shortcutFor(key('s'))).toEqual({ kind: 'solo' });
		expect(shortcutFor(key('l'))).toEqual({ kind: 'loop' });
		expect(shortcutFor(key('?'))).toEqual({ kind: 'help' });
		expect(shortcutFor(key('['))).toEqual({ kind: 'take', by: -1 });
		expect(shortcutFor(key(']'))).toEqual({ kind: 'take', by: 1 });
		expect(shortcutFor(key('T'))).toEqual({ kind: 'loop-take' });
		expect(shortcutFor(key(','))).toEqual({ kind: 'loop-nudge', edge: 'start', by: -0.1 });
		expect(shortcutFor(key('.'))).toEqual({ kind: 'loop-nudge', edge: 'start', by: 0.1 });
		expect(shortcutFor(key('<', true))).toEqual({ kind: 'loop-nudge', edge: 'end', by: -0.1 });
		expect(shortcutFor(key('>', true))).toEqual({ kind: 'loop-nudge', edge: 'end', by: 0.1 });
		expect(shortcutFor(key(',', true))).toEqual({ kind: 'loop-nudge', edge: 'end', by: -0.1 });
		expect(shortcutFor(key('+', true))).toEqual({ kind: 'zoom', by: 'in' });
		expect(shortcutFor(key('-'))).toEqual({ kind: 'zoom', by: 'out' });
		expect(shortcutFor(key('0'))).toBeNull();
		expect(shortcutFor(key('X'))).toEqual({ kind: 'split' });
		expect(shortcutFor(key('q'))).toBeNull();
	});

	it('leaves arrows to a focused slider', () => {
		expect(shortcutFor(key('ArrowLeft'), true)).toBeNull();
		expect(shortcutFor(key(' '), true)).toEqual({ kind: 'toggle' });
	});
});

describe('ruler', () => {
	it('picks a step that keeps labels apart', () => {
		expect(tickStep(240, 900)).toBe(30);
		expect(tickStep(3600, 900)).toBe(600);
		expect(tickStep(10, 1000)).toBe(1);
		expect(tickStep(0, 100)).toBe(0);
	});

	it('labels the ticks', () => {
		const t = rulerTicks(240, 900);
		expect(t[0]).toEqual({ time: 0, label: '0:00' });
		expect(t[1]).toEqual({ time: 30, label: '0:30' });
		expect(t.length).toBe(8);
	});

	it('labels a zoomed window from its first whole step', () => {
		const t = rulerTicksIn(47.3, 10, 900);
		expect(t[0]).toEqual({ time: 48, label: '0:48' });
		expect(t.at(-1)!.time).toBe(56);
		expect(rulerTicksIn(0, 240, 900)).toEqual(rulerTicks(240, 900));
	});
});
