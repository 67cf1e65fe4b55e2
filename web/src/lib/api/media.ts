// Media URLs and the waveform peaks of a stem.
import { parsePeaks, type Peaks } from '$lib/audio/peaks';

export const stemUrl = (id: string) => `/media/stems/${encodeURIComponent(id)}`;
export const waveformUrl = (id: string) => `/media/stems/${encodeURIComponent(id)}/waveform`;

const EXT: Record<string, string> = { opus: 'opus', flac: 'flac', wav: 'wav' };

/** "Song title - vocals.opus", safe for file systems. */
export function stemFileName(title: string, stem: string, format: string): string {
	const clean = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim();
	return `${clean(title)} - ${clean(stem)}.${EXT[format] ?? format}`;
}

export async function fetchPeaks(stemId: string, signal?: AbortSignal): Promise<Peaks> {
	const res = await fetch(waveformUrl(stemId), { credentials: 'same-origin', signal });
	if (!res.ok) throw new Error(`waveform: HTTP ${res.status}`);
	return parsePeaks(await res.arrayBuffer());
}
