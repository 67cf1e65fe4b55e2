import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRelative, formatTime, parseTimestamp } from './time';

describe('formatTime', () => {
	it('formats minutes, hours and tenths', () => {
		expect(formatTime(0)).toBe('0:00.0');
		expect(formatTime(65.34)).toBe('1:05.3');
		expect(formatTime(59.99)).toBe('0:59.9');
		expect(formatTime(3723.5)).toBe('1:02:03.5');
		expect(formatTime(3723.5, false)).toBe('1:02:03');
		expect(formatTime(-3)).toBe('0:00.0');
		expect(formatTime(NaN)).toBe('0:00.0');
	});

	it('formats durations rounded to seconds', () => {
		expect(formatDuration(245.6)).toBe('4:06');
		expect(formatDuration(3600)).toBe('1:00:00');
	});
});

describe('parseTimestamp', () => {
	it('reads the server format and ISO 8601', () => {
		expect(parseTimestamp('2026-11-24 10:00:00 UTC').toISOString()).toBe('2026-11-24T10:00:00.000Z');
		expect(parseTimestamp('2026-11-24 10:00:00.250 UTC').toISOString()).toBe('2026-11-24T10:00:00.250Z');
		expect(parseTimestamp('2026-11-24T10:00:00Z').toISOString()).toBe('2026-11-24T10:00:00.000Z');
	});
});

describe('formatRelative', () => {
	const now = new Date('2026-11-24T12:00:00Z');
	it('says how long ago', () => {
		expect(formatRelative(new Date('2026-11-24T11:59:40Z'), now)).toBe('just now');
		expect(formatRelative(new Date('2026-11-24T11:50:00Z'), now)).toBe('10 min ago');
		expect(formatRelative(new Date('2026-11-24T09:00:00Z'), now)).toBe('3 h ago');
		expect(formatRelative(new Date('2026-11-23T10:00:00Z'), now)).toBe('yesterday');
		expect(formatRelative(new Date('2026-11-20T10:00:00Z'), now)).toBe('4 days ago');
		expect(formatRelative(new Date('2026-01-02T10:00:00Z'), now)).toMatch(/2026/);
	});
});

describe('formatBytes', () => {
	it('picks a unit', () => {
		expect(formatBytes(512)).toBe('512 B');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
	});
});
