// Starts the real thing for the browser tests: seeds a Stemset data folder (generated
// band recordings, separated by `stemset process` with the dsp backend), then runs
//   - `stemset serve --bypass-auth` (everything but sign-in),
//   - a real OpenID Connect provider (server/tests/oidc-provider) and a second
//     `stemset serve` that signs in through it.
// Base URLs go to the tests through STEMSET_E2E_* environment variables.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../src/lib/audio/wav';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const repo = resolve(web, '..');
const logs = join(web, 'test-results', 'logs');

export const SEED = [
	{ file: 'Tuesday rehearsal.wav', seconds: 48 },
	{ file: 'Blue song take 2.wav', seconds: 21 },
	{ file: 'Soundcheck.wav', seconds: 9 },
	// Long enough that streaming matters: the tests check it starts without the whole files.
	{ file: 'Full set.wav', seconds: Number(process.env.STEMSET_E2E_LONG_SECONDS ?? 300) }
];

/**
 * A band of its own (so its songs and suggestions touch no other test) with one little
 * rehearsal: the demo song played twice with room noise between. Processing finds two
 * takes, 0–36 s and 50–86 s, 112 BPM.
 */
export const REHEARSAL = { band: 'night', file: 'Rehearsal night.wav', takes: 2, seconds: 36, gap: 14 };

/**
 * A band whose takes the take-edit tests move, split, merge and delete (so no other
 * test sees them change): the same rehearsal as REHEARSAL's, copied.
 */
export const EDITS = { band: 'edits', file: 'Edit room.wav' };

/** A band with one steady sine (the practice tests measure its pitch). */
export const TONE = { band: 'tone', file: 'Tuning tone.wav', hz: 440, seconds: 12, recorded: new Date('2026-03-14T19:00:00Z') };

function sineWav(hz: number, seconds: number, rate = 48000): Uint8Array {
	const n = Math.round(seconds * rate);
	const x = new Float32Array(n);
	for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * hz * i) / rate);
	return encodeWav([x, x], rate);
}

function bin(): string {
	const b = process.env.STEMSET_BIN ? resolve(process.env.STEMSET_BIN) : join(repo, 'target/debug/stemset');
	if (!existsSync(b)) throw new Error(`stemset binary not found at ${b} (build it, or set STEMSET_BIN)`);
	return b;
}

async function freePort(): Promise<number> {
	return new Promise((ok, fail) => {
		const s = createServer();
		s.unref();
		s.on('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => ok(port));
		});
	});
}

function run(args: string[], cwd: string) {
	const r = spawnSync(bin(), args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	if (r.status !== 0) throw new Error(`stemset ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
	return r.stdout + r.stderr;
}

const PLUGINS = `
[models.dsp-hpss]
backend = "dsp"
architecture = "dsp-hpss"
slots = ["percussive", "harmonic"]

[models.dsp-center]
backend = "dsp"
architecture = "dsp-center"
slots = ["vocals", "accompaniment"]

[models.dsp-bass]
backend = "dsp"
architecture = "dsp-bass"
slots = ["bass", "other"]
`;

export const OWNER = 'alice@example.com';
export const OUTSIDER = 'mallory@example.com';

function config(auth: string, extra = ''): string {
	return `strategies:
  default:
    _: dsp-hpss
    percussive: drums
    harmonic:
      _: dsp-center
      vocals: vocals
      accompaniment:
        _: dsp-bass
        bass: bass
        other: other
profiles:
  demo:
    source: ./recordings
    strategy: default
    display_name: Demo Band
    owners: [${OWNER}]
  side:
    source: ./side-project
    strategy: default
    display_name: Side Project
    owners: [${OWNER}]
  night:
    source: ./night
    strategy: default
    display_name: Night Band
    owners: [${OWNER}]
  edits:
    source: ./edits
    strategy: default
    display_name: Edit Room
    owners: [${OWNER}]
  tone:
    source: ./tone
    strategy: default
    display_name: Tone Lab
    owners: [${OWNER}]
output: { format: opus, bitrate: 160 }
storage: { kind: local, path: ./media }
database: { url: "sqlite://./stemset.sqlite" }
auth:
${auth}
server:
  web_dir: ${JSON.stringify(join(web, 'build'))}
${extra}plugins: plugins.toml
`;
}

function start(name: string, cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
	mkdirSync(logs, { recursive: true });
	const log = createWriteStream(join(logs, `${name}.log`));
	const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	return child;
}

async function waitFor(url: string, child: ChildProcess, name: string) {
	for (let i = 0; i < 600; i++) {
		if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see test-results/logs/${name}.log`);
		try {
			const r = await fetch(url);
			if (r.ok) return;
		} catch {
			/* not up yet */
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`${name} did not answer at ${url}`);
}

export default async function globalSetup() {
	if (!existsSync(join(web, 'build', 'index.html'))) throw new Error('web/build is missing: run `npm run build` first');
	mkdirSync(logs, { recursive: true });
	mkdirSync(join(web, 'test-results', 'screenshots'), { recursive: true });
	const root = mkdtempSync(join(tmpdir(), 'stemset-e2e-'));
	const seedDir = join(root, 'bypass');
	mkdirSync(join(seedDir, 'recordings'), { recursive: true });
	mkdirSync(join(seedDir, 'side-project'), { recursive: true });
	mkdirSync(join(seedDir, 'night'), { recursive: true });
	mkdirSync(join(seedDir, 'tone'), { recursive: true });
	mkdirSync(join(seedDir, 'edits'), { recursive: true });
	writeFileSync(join(seedDir, 'tone', TONE.file), sineWav(TONE.hz, TONE.seconds));
	// Its file time is its recording date (the WAV carries none): the list shows that day.
	utimesSync(join(seedDir, 'tone', TONE.file), TONE.recorded, TONE.recorded);
	writeFileSync(join(seedDir, 'plugins.toml'), PLUGINS);
	writeFileSync(join(seedDir, 'config.yaml'), config('  environment: development\n  allowed_emails: []'));
	for (const s of SEED) run(['generate-demo', join('recordings', s.file), '--seconds', String(s.seconds)], seedDir);
	const r = REHEARSAL;
	run(['generate-demo', join('night', r.file), '--takes', String(r.takes), '--seconds', String(r.seconds), '--gap', String(r.gap)], seedDir);
	cpSync(join(seedDir, 'night', r.file), join(seedDir, 'edits', EDITS.file));
	const processed =
		run(['--config', 'config.yaml', 'process', 'demo'], seedDir) +
		run(['--config', 'config.yaml', 'process', 'night'], seedDir) +
		run(['--config', 'config.yaml', 'process', 'edits'], seedDir) +
		run(['--config', 'config.yaml', 'process', 'tone'], seedDir);
	writeFileSync(join(logs, 'process.log'), processed);

	// The sign-in server gets its own copy of the seeded data.
	const oidcDir = join(root, 'oidc');
	cpSync(seedDir, oidcDir, { recursive: true });

	const children: ChildProcess[] = [];
	const [appPort, oidcAppPort, idpPort] = await Promise.all([freePort(), freePort(), freePort()]);

	const app = start('serve-bypass', bin(), ['--config', 'config.yaml', 'serve', '--listen', `127.0.0.1:${appPort}`, '--bypass-auth'], { cwd: seedDir });
	children.push(app);

	const idpDir = join(repo, 'server/tests/oidc-provider');
	if (!existsSync(join(idpDir, 'node_modules/oidc-provider'))) throw new Error(`run \`npm ci\` in ${idpDir} first`);
	const appUrl = `http://127.0.0.1:${oidcAppPort}`;
	const idp = start('oidc-provider', process.execPath, ['provider.mjs'], {
		cwd: idpDir,
		env: { PORT: String(idpPort), REDIRECT_URIS: `${appUrl}/auth/callback` }
	});
	children.push(idp);
	writeFileSync(
		join(oidcDir, 'config.yaml'),
		config(
			[
				'  environment: development',
				'  allowed_emails: []',
				`  issuer_url: http://127.0.0.1:${idpPort}`,
				'  google_client_id: stemset-test',
				'  google_client_secret: stemset-test-secret',
				'  jwt_secret: e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
				`  public_url: ${appUrl}`
			].join('\n')
		)
	);
	await waitFor(`http://127.0.0.1:${idpPort}/.well-known/openid-configuration`, idp, 'oidc-provider');
	const oidcApp = start('serve-oidc', bin(), ['--config', 'config.yaml', 'serve', '--listen', `127.0.0.1:${oidcAppPort}`], { cwd: oidcDir });
	children.push(oidcApp);

	await Promise.all([
		waitFor(`http://127.0.0.1:${appPort}/healthz`, app, 'serve-bypass'),
		waitFor(`${appUrl}/healthz`, oidcApp, 'serve-oidc')
	]);

	process.env.STEMSET_E2E_BYPASS_URL = `http://127.0.0.1:${appPort}`;
	process.env.STEMSET_E2E_OIDC_URL = appUrl;
	process.env.STEMSET_E2E_IDP_URL = `http://127.0.0.1:${idpPort}`;
	process.env.STEMSET_E2E_DATA = root;

	return async () => {
		await Promise.all(
			children.map((c) => {
				if (c.exitCode !== null) return null;
				const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
				c.kill('SIGTERM');
				return new Promise((r) => c.once('exit', () => r(clearTimeout(killer))));
			})
		);
		if (!process.env.STEMSET_E2E_KEEP) rmSync(root, { recursive: true, force: true });
	};
}
