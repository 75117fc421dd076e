/**
 * One Keyframe at a time sends and follows the jobs of a library: whoever holds `jobs.lease` in the
 * library folder (the app, or the headless `jobs run` / `jobs resume`). Anyone else only reads
 * (lists, exports) or waits. The lease names its holder (pid, host, what it is, when it started)
 * and carries a heartbeat (the file's modification time, touched in place: a holder that was asleep
 * can then never overwrite the lease of the process that took over from it); one whose process is
 * gone, or whose heartbeat is too old, is taken over.
 */
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { link, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LeaseHolder {
  pid: number;
  host: string;
  /** "the Keyframe app", "the jobs CLI (jobs run)" … */
  who: string;
  startedAt: string;
  /** The lease file's modification time. */
  heartbeatAt: string;
  /** Tells one taking apart from another of the same process. */
  token: string;
}

export interface LeaseTiming {
  /** How often the holder touches its lease. */
  heartbeatMs: number;
  /** A heartbeat older than this means the holder hung or its computer went away. */
  staleMs: number;
  now: () => number;
}

export const defaultLeaseTiming: LeaseTiming = { heartbeatMs: 10_000, staleMs: 60_000, now: Date.now };

export const LEASE_FILE = 'jobs.lease';

export class JobsLease {
  /** Follows the library when it is moved (the move copies the lease with the rest). */
  readonly #path: () => string;
  readonly #timing: LeaseTiming;
  readonly #holder: LeaseHolder;
  #heartbeat: NodeJS.Timeout;

  private constructor(path: () => string, holder: LeaseHolder, timing: LeaseTiming, onLost: (by?: LeaseHolder) => void) {
    this.#path = path;
    this.#holder = holder;
    this.#timing = timing;
    this.#heartbeat = setInterval(() => void this.#beat(onLost), timing.heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * Takes the library's lease, or answers who holds it. `onLost` fires if the lease is found
   * taken over later (this process was suspended past `staleMs`, say a laptop asleep).
   */
  static async take(
    libraryDir: string | (() => string),
    who: string,
    onLost: (by?: LeaseHolder) => void,
    timing: LeaseTiming = defaultLeaseTiming,
  ): Promise<JobsLease | LeaseHolder> {
    const current = () => join(typeof libraryDir === 'string' ? libraryDir : libraryDir(), LEASE_FILE);
    const path = current();
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date(timing.now()).toISOString();
      const mine: LeaseHolder = {
        pid: process.pid,
        host: hostname(),
        who,
        startedAt: now,
        heartbeatAt: now,
        token: randomBytes(6).toString('hex'),
      };
      if (await create(path, mine)) return new JobsLease(current, mine, timing, onLost);
      const held = await readHolder(path);
      if (held && !isStale(held, timing)) return held;
      await takeAway(path, held);
    }
    const held = await readHolder(path);
    if (held) return held;
    throw new Error(`Keyframe could not take ${path}`);
  }

  /** The live holder of the library's lease, if any (for a process that only reads). */
  static async holder(libraryDir: string, timing: LeaseTiming = defaultLeaseTiming): Promise<LeaseHolder | undefined> {
    const held = await readHolder(join(libraryDir, LEASE_FILE));
    return held && !isStale(held, timing) ? held : undefined;
  }

  async release(): Promise<void> {
    clearInterval(this.#heartbeat);
    const path = this.#path();
    const held = await readHolder(path);
    if (held?.token === this.#holder.token) await rm(path, { force: true });
  }

  async #beat(onLost: (by?: LeaseHolder) => void): Promise<void> {
    const path = this.#path();
    const held = await readHolder(path);
    if (held?.token !== this.#holder.token) {
      clearInterval(this.#heartbeat);
      onLost(held);
      return;
    }
    const now = new Date(this.#timing.now());
    await utimes(path, now, now).catch(() => undefined); // gone: the next beat says so
  }
}

/** Creates the lease file with its whole content at once, only if there is none. */
async function create(path: string, holder: LeaseHolder): Promise<boolean> {
  const draft = `${path}.${holder.token}.new`;
  const { heartbeatAt, ...fixed } = holder;
  await writeFile(draft, JSON.stringify(fixed));
  await utimes(draft, new Date(heartbeatAt), new Date(heartbeatAt));
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

/**
 * Moves a stale lease out of the way. Two processes may both find it stale: only one rename gets
 * that file; if the other's rename caught the first one's fresh lease instead, it is put back.
 */
async function takeAway(path: string, stale: LeaseHolder | undefined): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already: someone else took it away
  }
  const moved = await readHolder(aside);
  if (moved && stale && moved.token !== stale.token) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

async function readHolder(path: string): Promise<LeaseHolder | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const holder = { ...(JSON.parse(text) as LeaseHolder), heartbeatAt: info.mtime.toISOString() };
    return typeof holder.pid === 'number' && typeof holder.token === 'string' ? holder : undefined;
  } catch {
    return undefined; // none, or not a lease (such a file is treated as stale)
  }
}

function isStale(holder: LeaseHolder, timing: LeaseTiming): boolean {
  if (holder.host === hostname() && !isAlive(holder.pid)) return true;
  return timing.now() - Date.parse(holder.heartbeatAt) > timing.staleMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Resolves when the lease file changes (its holder released it) or after `ms` (a holder that died
 * leaves its lease behind), or at once when `signal` fires. The returned `cancel` stops waiting.
 */
export function leaseChangeOrTimeout(libraryDir: string, ms: number, signal?: AbortSignal): { changed: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const changed = new Promise<void>((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(libraryDir, { persistent: false }, (_event, name) => name === LEASE_FILE && done());
      watcher.on('error', () => undefined); // the timer still ends the wait
    } catch {
      // no watching here (some network drives): the timer ends the wait
    }
    // Kept referenced: a CLI that waits for the lease has nothing else keeping it alive.
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    cancel = done;
    signal?.addEventListener('abort', done, { once: true });
  });
  return { changed, cancel };
}

/** "the jobs CLI (jobs run), pid 4242 on studio, since 14:05:09" */
export function describeHolder(holder: LeaseHolder): string {
  const since = new Date(holder.startedAt).toLocaleTimeString('en-GB', { hour12: false });
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `${holder.who} (pid ${holder.pid}${where}, since ${since})`;
}
