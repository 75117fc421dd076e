/**
 * Runs the real `jobs` CLI (main/cli/jobs.ts) in child processes against the fake RunComfy API,
 * with its own user-data folder, a token from RUNCOMFY_TOKEN (so the keychain is not needed) and a
 * keychain entry name of its own. Used by the kill-and-restart tests.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { sharp } from '../../main/services/image-engine';
import type { JobLine } from '../../main/cli/follow';
import { EventBus } from '../../main/services/events';
import { LibraryStore } from '../../main/services/library/store';
import type { JobRecord } from '../../main/services/library';
import { createLogger } from '../../main/services/log';
import { createServices } from '../../main/services';
import type { ServiceOptions, Services } from '../../main/services';
import { RecordingPlatform } from '../carrier/platform';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import type { FakeOptions, FakeRunComfy } from '../fake-runcomfy/server';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TOKEN = 'rc_cli_kill_test_token_5678';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: JobLine[];
}

export interface CliProcess {
  child: ChildProcess;
  /** What it has printed so far. */
  stderr(): string;
  exited: Promise<Finished>;
  kill(): Promise<Finished>;
}

export interface CliRig {
  fake: FakeRunComfy;
  dir: string;
  userData: string;
  libraryDir: string;
  start: string;
  end: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[]): CliProcess;
  /** Reads the library as the app would open it next (opening finishes interrupted writes). */
  jobs(): Promise<JobRecord[]>;
  close(): Promise<void>;
}

export async function frame(dir: string, name: string, colour: string, width = 640, height = 360): Promise<string> {
  const path = join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toFile(path);
  return path;
}

const bundles = new Map<string, Promise<string>>();

/**
 * A CLI (main/cli/<entry>.ts) built once into one file for this test process: each child then
 * starts in a fraction of the CPU time tsx needs to compile it again, which on a busy machine is
 * most of a test's time. It sits two folders below the root, as main/cli/ does, so it finds
 * package.json the same way.
 */
function bundledCli(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (bundled) return bundled;
  bundled = (async () => {
    const dir = join(ROOT, 'test-results', `cli-${process.pid}-${entry}`);
    await rm(dir, { recursive: true, force: true });
    const outfile = join(dir, `${entry}.mjs`);
    await build({
      entryPoints: [join(ROOT, `main/cli/${entry}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile,
      logLevel: 'warning',
    });
    return outfile;
  })();
  bundles.set(entry, bundled);
  return bundled;
}

/** `entry`: which CLI `cli()` runs (main/cli/jobs.ts unless told). */
export async function cliRig(fakeOptions: FakeOptions = {}, entry = 'jobs'): Promise<CliRig> {
  const cliEntry = await bundledCli(entry);
  const fake = await startFakeRunComfy({ tokens: [TOKEN], fetchImages: true, ...fakeOptions });
  const dir = await mkdtemp(join(tmpdir(), 'kf-jobs-cli-'));
  const userData = join(dir, 'user-data');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNCOMFY_TOKEN: TOKEN,
    KEYFRAME_API_BASE_URL: fake.url,
    KEYFRAME_USER_DATA: userData,
    KEYFRAME_KEYCHAIN_SERVICE: `keyframe-test-cli-${randomBytes(4).toString('hex')}`,
    // The fake on 127.0.0.1 is asked every 50 ms, not every 2 s: the tests wait for states, not for polls.
    KEYFRAME_POLL_MS: '50',
    // No RunComfy CLI sign-in of the person running the tests is looked at.
    HOME: dir,
  };
  delete env['KEYFRAME_LIBRARY'];
  delete env['RUNCOMFY_CONFIG_DIR'];
  delete env['XDG_CONFIG_HOME'];
  const children = new Set<ChildProcess>();
  const rig: CliRig = {
    fake,
    dir,
    userData,
    libraryDir: join(userData, 'library'),
    start: await frame(dir, 'start.png', '#c33'),
    end: await frame(dir, 'end.png', '#33c'),
    env,
    cli(args) {
      const child = spawn(process.execPath, [cliEntry, ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const exited = new Promise<Finished>((done) =>
        child.on('close', (code, signal) => {
          children.delete(child);
          const lines = stdout
            .split('\n')
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line) as JobLine);
          done({ code, signal, stdout, stderr, lines });
        }),
      );
      return {
        child,
        stderr: () => stderr,
        exited,
        kill: () => {
          child.kill('SIGKILL');
          return exited;
        },
      };
    },
    async jobs() {
      const store = await LibraryStore.open({
        dir: rig.libraryDir,
        log: createLogger(() => {}),
        events: new EventBus(),
        mediaUrl: (root, path) => `/media/${root}/${path}`,
        trash: async () => {},
      });
      try {
        return store.list({ limit: 500 }).items.map((item) => store.require(item.id));
      } finally {
        await store.close();
      }
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await fake.close();
    },
  };
  return rig;
}

/** Every file under `dir`, recursively, with its size. */
export async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.push({ path, size: (await stat(path).catch(() => ({ size: 0 }))).size });
  }
  return found;
}

/** Waits for a state, naming it if it never comes (within the test's own budget, at most `ms`). */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 80_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The app's services on the rig's user data and library, as the app would open them (close them when done). */
export function appServices(r: CliRig, options: Partial<ServiceOptions> = {}): Promise<Services> {
  return createServices({
    userDataDir: r.userData,
    shell: 'carrier',
    version: 'test',
    log: createLogger(() => {}),
    platform: new RecordingPlatform(join(r.dir, 'Trash')),
    mediaUrl: (root, path) => `/media/${root}/${path}`,
    env: r.env,
    ...options,
  });
}
