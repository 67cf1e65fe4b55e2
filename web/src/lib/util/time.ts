// Formatting of times, dates and sizes for the UI.

/** 65.3 → "1:05.3"; 3723 → "1:02:03.0"; tenths optional. */
export function formatTime(seconds: number, tenths = true): string {
	if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
	const totalTenths = tenths ? Math.floor(seconds * 10 + 1e-6) : Math.floor(seconds + 1e-9) * 10;
	const t = totalTenths % 10;
	const s = Math.floor(totalTenths / 10);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const sec = s % 60;
	const ss = String(sec).padStart(2, '0');
	const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
	return tenths ? `${body}.${t}` : body;
}

/** A recording's length: "4:05", "1:02:03". */
export function formatDuration(seconds: number): string {
	return formatTime(Math.round(seconds), false);
}

/** The server's timestamps: "2026-11-24 10:00:00 UTC" (also accepts ISO 8601). */
export function parseTimestamp(s: string): Date {
	const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(?:UTC|Z|\+00:?00)?$/.exec(s.trim());
	if (m) {
		const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
		return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms));
	}
	return new Date(s);
}

/** "just now", "5 min ago", "3 h ago", "yesterday", else a date. */
export function formatRelative(date: Date, now: Date = new Date()): string {
	const sec = (now.getTime() - date.getTime()) / 1000;
	if (sec < 45) return 'just now';
	if (sec < 3600) return `${Math.round(sec / 60)} min ago`;
	if (sec < 86400) return `${Math.round(sec / 3600)} h ago`;
	if (sec < 2 * 86400) return 'yesterday';
	if (sec < 7 * 86400) return `${Math.floor(sec / 86400)} days ago`;
	return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	const units = ['KB', 'MB', 'GB'];
	let v = n / 1024;
	let u = 0;
	while (v >= 1024 && u < units.length - 1) {
		v /= 1024;
		u++;
	}
	return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}
