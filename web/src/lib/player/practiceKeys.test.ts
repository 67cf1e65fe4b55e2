import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor } from './keys';

const key = (k: string, shiftKey = false) => ({ key: k, shiftKey });

describe('practice shortcuts', () => {
	it('maps speed, pitch, reset and click', () => {
		expect(shortcutFor(key(';'))).toEqual({ kind: 'speed', by: -0.05 });
		expect(shortcutFor(key("'"))).toEqual({ kind: 'speed', by: 0.05 });
		expect(shortcutFor(key(':', true))).toEqual({ kind: 'pitch', by: -1 });
		expect(shortcutFor(key('"', true))).toEqual({ kind: 'pitch', by: 1 });
		expect(shortcutFor(key(';', true))).toEqual({ kind: 'pitch', by: -1 });
		expect(shortcutFor(key('R'))).toEqual({ kind: 'practice-reset' });
		expect(shortcutFor(key('k'))).toEqual({ kind: 'click' });
	});

	it('lists them with the others', () => {
		const keys = SHORTCUTS.map((s) => s.keys);
		expect(keys).toContain("; '");
		expect(keys).toContain(': "');
		expect(keys).toContain('R');
		expect(keys).toContain('K');
	});
});
