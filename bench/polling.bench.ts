/**
 * Following 100 open jobs at once: the real runner (poll schedule, RunComfy client, library
 * writes) against the fake API in its own process, holding every job queued. Counts the status
 * requests the fake received against what the poll policy allows, checks that no job was asked
 * twice within its interval, and measures this process's CPU time while following.
 *
 *   1. the default policy (2 s per young job, ±20 % jitter, at most 5 requests/s for all jobs), 20 s;
 *   2. a shortened policy (1 s per job, no global budget worth the name), 10 s: 100 requests/s.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../main/services/events';
import { LibraryStore } from '../main/services/library/store';
import { createLogger } from '../main/services/log';
import { defaultPollPolicy, PollSchedule } from '../main/services/jobs/poll-schedule';
import type { PollPolicy } from '../main/services/jobs/poll-schedule';
import { JobRunner } from '../main/services/jobs/runner';
import { createRunComfyClient } from '../main/services/runcomfy/client';
import type { Benchmark, Figure } from './figure';
import { machineLoad } from './figure';

const JOBS = 100;
const TOKEN = 'bench-polling-token-1234';
const require = createRequire(import.meta.url);

interface StatusRequest {
  path: string;
  at: number;
  status: number | 'dropped';
}

type Reply = { kind: 'ready'; url: string } | { kind: 'reset' } | { kind: 'report'; status: StatusRequest[] };

const run: Benchmark = async () => {
  const server = fork(join(import.meta.dirname, 'support', 'fake-api.ts'), [TOKEN], {
    execArgv: ['--import', require.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = async <K extends Reply['kind']>(kind: K, send?: 'report' | 'reset') => {
    if (send) server.send({ kind: send });
    for (;;) {
      const [reply] = (await once(server, 'message')) as [Reply];
      if (reply.kind === kind) return reply as Extract<Reply, { kind: K }>;
    }
  };
  const { url } = await ask('ready');
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-poll-'));
  const log = createLogger(() => {});
  const events = new EventBus();
  const store = await LibraryStore.open({ dir, log, events, mediaUrl: (root, path) => `/media/${root}/${path}`, trash: async () => {} });
  const client = createRunComfyClient({ baseUrl: url, getToken: () => TOKEN });
  try {
    // 100 jobs queued at RunComfy and open in the library, as after a restart.
    for (let i = 0; i < JOBS; i++) {
      const { requestId } = await client.submit({
        prompt: `job ${i}`,
        start_image_url: 'https://frames.example/start.png',
        end_image_url: 'https://frames.example/end.png',
        duration: 5,
      });
      const job = await store.createJob({ prompt: `job ${i}`, duration: 5 });
      await store.recordSubmitted(job.id, requestId);
    }

    const measure = async (label: string, policy: PollPolicy, seconds: number): Promise<Figure[]> => {
      await ask('reset', 'reset');
      const runner = new JobRunner({
        store,
        client,
        hosting: { host: () => Promise.reject(new Error('not used')) },
        events,
        log,
        schedule: new PollSchedule(Date.now, policy),
      });
      global.gc?.();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await runner.start();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      await runner.stop();
      const { status } = await ask('report', 'report');

      // All jobs are young here (under 30 s), so the policy's interval is its first one.
      const interval = policy.intervalMs(0);
      const perInterval = JOBS * (1 + Math.floor((seconds * 1000) / interval));
      const budget = Math.floor(policy.burst + policy.budgetPerSecond * seconds);
      const ceiling = Math.min(perInterval, budget);
      const byJob = new Map<string, number[]>();
      for (const request of status) byJob.set(request.path, [...(byJob.get(request.path) ?? []), request.at]);
      const shortest = interval * (1 - policy.jitter) - 25; // 25 ms for timer slack
      let tooSoon = 0;
      let minGap = Infinity;
      for (const times of byJob.values()) {
        for (let i = 1; i < times.length; i++) {
          const gap = times[i] - times[i - 1];
          minGap = Math.min(minGap, gap);
          if (gap < shortest) tooSoon++;
        }
      }
      const cpuMsPerSecond = (cpu.user + cpu.system) / 1000 / (wallMs / 1000);
      const failed = status.filter((request) => request.status !== 200).length;
      return [
        {
          name: `${label}: status requests in ${seconds} s`,
          value: status.length,
          unit: 'req',
          target: `≤ ${ceiling} (one per job per ${interval / 1000} s: ${perInterval}; budget: ${budget})`,
          meetsTarget: status.length <= ceiling,
          peer: { name: 'ceiling', value: ceiling },
          note: `${byJob.size} of ${JOBS} jobs asked; ${failed} answers not 200`,
        },
        {
          name: `${label}: polls of one job closer than its interval allows`,
          value: tooSoon,
          unit: 'count',
          target: `0 (gaps ≥ ${interval * (1 - policy.jitter)} ms)`,
          meetsTarget: tooSoon === 0,
          note: `shortest gap seen ${Number.isFinite(minGap) ? Math.round(minGap) : '—'} ms`,
        },
        {
          name: `${label}: CPU time of the following process`,
          value: cpuMsPerSecond,
          unit: 'ms',
          note:
            `per second of wall time (${((cpuMsPerSecond / 1000) * 100).toFixed(1)} % of one core); ` +
            `${(status.length / (wallMs / 1000)).toFixed(1)} requests/s; ${machineLoad()}`,
        },
      ];
    };

    return [
      ...(await measure('100 jobs, default policy', defaultPollPolicy, 20)),
      ...(await measure(
        '100 jobs, 1 s policy, no budget',
        { intervalMs: () => 1_000, jitter: 0.2, budgetPerSecond: 1_000, burst: 1_000 },
        10,
      )),
    ];
  } finally {
    await store.close();
    server.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
};

export default run;
