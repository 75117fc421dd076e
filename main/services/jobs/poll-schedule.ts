/**
 * Decides when each open job is asked for its status: often at first, less often as it ages,
 * with jitter so jobs do not poll in lock-step, under one request budget for all jobs, and with a
 * global pause (a 429's Retry-After, or the network being down). Pure logic on an injected clock.
 */
import { isLoopback } from '../runcomfy/client';

export interface PollPolicy {
  /** Interval for a job that has been followed for `ageMs`. */
  intervalMs(ageMs: number): number;
  /** ±fraction of randomness applied to each interval. */
  jitter: number;
  /** Requests per second for all jobs together, and the burst allowed. */
  budgetPerSecond: number;
  burst: number;
}

export const defaultPollPolicy: PollPolicy = {
  intervalMs: (age) => (age < 30_000 ? 2_000 : age < 120_000 ? 4_000 : age < 600_000 ? 8_000 : 15_000),
  jitter: 0.2,
  budgetPerSecond: 5,
  burst: 5,
};

/**
 * `KEYFRAME_POLL_MS`: a local API (the fake RunComfy the tests and the demo run on a loopback
 * address) is asked every that many milliseconds, so a test waits for states, not for the 2 s
 * interval. RunComfy itself is always asked by the default policy (undefined here).
 */
export function localPollPolicy(env: NodeJS.ProcessEnv, apiUrl: string): PollPolicy | undefined {
  const ms = Number(env['KEYFRAME_POLL_MS']);
  if (!env['KEYFRAME_POLL_MS'] || !Number.isInteger(ms) || ms < 10) return undefined;
  if (!URL.canParse(apiUrl) || !isLoopback(new URL(apiUrl).hostname)) return undefined;
  return { intervalMs: () => ms, jitter: 0.1, budgetPerSecond: Math.max(defaultPollPolicy.budgetPerSecond, 4000 / ms), burst: 20 };
}

interface Entry {
  since: number;
  nextAt: number;
}

export class PollSchedule {
  #entries = new Map<string, Entry>();
  #tokens: number;
  #tokensAt: number;
  #pausedUntil = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly policy: PollPolicy = defaultPollPolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.#tokens = policy.burst;
    this.#tokensAt = now();
  }

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Starts following a job; `since` is when it was submitted (older jobs poll less often). */
  add(id: string, since = this.now()): void {
    if (!this.#entries.has(id)) this.#entries.set(id, { since, nextAt: this.now() });
  }

  remove(id: string): void {
    this.#entries.delete(id);
  }

  /** Nobody polls before `until` (429 Retry-After, or waiting for the network); Infinity until `unpause`. */
  pauseUntil(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Ends any pause now (a new token after a refused one). */
  unpause(): void {
    this.#pausedUntil = 0;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Records that `id` was just polled and schedules its next poll. */
  polled(id: string, slower = 1): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    const now = this.now();
    const base = this.policy.intervalMs(now - entry.since) * slower;
    entry.nextAt = now + base * (1 + (this.random() * 2 - 1) * this.policy.jitter);
  }

  /** Jobs due now, oldest-due first, as many as the budget allows (each one spends a token). */
  takeDue(): string[] {
    const now = this.now();
    if (now < this.#pausedUntil) return [];
    this.#refill(now);
    const due = [...this.#entries].filter(([, e]) => e.nextAt <= now).sort((a, b) => a[1].nextAt - b[1].nextAt);
    const taken = due.slice(0, Math.floor(this.#tokens)).map(([id]) => id);
    this.#tokens -= taken.length;
    // Until its answer comes back, a taken job is not due again.
    for (const id of taken) this.#entries.get(id)!.nextAt = Infinity;
    return taken;
  }

  /** Milliseconds until something may be due (for the runner's timer), or undefined if idle. */
  msUntilNext(): number | undefined {
    if (this.#entries.size === 0) return undefined;
    const now = this.now();
    let next = Math.min(...[...this.#entries.values()].map((e) => e.nextAt));
    next = Math.max(next, this.#pausedUntil);
    if (!Number.isFinite(next)) return undefined;
    this.#refill(now);
    if (this.#tokens < 1) next = Math.max(next, now + ((1 - this.#tokens) / this.policy.budgetPerSecond) * 1000);
    return Math.max(0, next - now);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.policy.burst, this.#tokens + ((now - this.#tokensAt) / 1000) * this.policy.budgetPerSecond);
    this.#tokensAt = now;
  }
}
