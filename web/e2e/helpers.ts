import { expect, type Locator, type Page } from '@playwright/test';
import { encodeWav } from '../src/lib/audio/wav';

export const bypassUrl = () => need('STEMSET_E2E_BYPASS_URL');
export const oidcUrl = () => need('STEMSET_E2E_OIDC_URL');
export const idpUrl = () => need('STEMSET_E2E_IDP_URL');

function need(name: string): string {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set (global setup did not run?)`);
	return v;
}

/** Saves a full-page screenshot under test-results/screenshots/ for review. */
export async function shot(page: Page, name: string) {
	await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** The current level (dBFS, RMS) a meter shows; -Infinity when silent. */
export async function level(meter: Locator): Promise<number> {
	const v = await meter.getAttribute('data-level-db');
	return v === null || v === '-inf' ? -Infinity : Number(v);
}

export const stem = (page: Page, name: string) => page.locator(`[data-testid=stem][data-stem="${name}"]`);
export const stemMeter = (page: Page, name: string) => stem(page, name).getByRole('meter');
export const masterMeter = (page: Page) => page.getByRole('meter', { name: 'Master level' });

/** Waits until the meter shows sound (above -50 dBFS RMS). */
export async function expectSound(meter: Locator) {
	await expect.poll(() => level(meter), { message: 'expected sound on the meter' }).toBeGreaterThan(-50);
}

/** Waits until the meter shows silence. */
export async function expectSilence(meter: Locator) {
	await expect.poll(() => level(meter), { message: 'expected silence on the meter' }).toBe(-Infinity);
}

/** The player's play head in seconds (the time display). */
export async function playhead(page: Page): Promise<number> {
	return Number(await page.getByTestId('time').getAttribute('data-seconds'));
}

/** A stereo WAV: a chord and a pulse, unique per `seed` (so uploads are new content). */
export function makeWav(seconds: number, seed: number, rate = 44100): Buffer {
	const n = Math.round(seconds * rate);
	const l = new Float32Array(n);
	const r = new Float32Array(n);
	const f = 110 * (1 + (seed % 7) / 7);
	for (let i = 0; i < n; i++) {
		const t = i / rate;
		const beat = Math.exp(-((t * 2) % 1) * 12);
		const tone = 0.2 * Math.sin(2 * Math.PI * f * t) + 0.15 * Math.sin(2 * Math.PI * f * 1.5 * t) + 0.1 * Math.sin(2 * Math.PI * f * 4 * t);
		const noise = (((Math.sin(i * 12.9898 + seed) * 43758.5453) % 1) - 0.5) * 0.3 * beat;
		l[i] = tone + noise;
		r[i] = tone * 0.8 + noise;
	}
	return Buffer.from(encodeWav([l, r], rate));
}

/** A 16-bit stereo WAV's samples (interleaved) and rate. */
export function readWav(bytes: Buffer): { rate: number; channels: number; samples: Int16Array } {
	if (bytes.subarray(0, 4).toString('latin1') !== 'RIFF') throw new Error('not a WAV');
	const channels = bytes.readUInt16LE(22);
	const rate = bytes.readUInt32LE(24);
	const dataBytes = bytes.readUInt32LE(40);
	const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 44 + dataBytes));
	return { rate, channels, samples };
}
