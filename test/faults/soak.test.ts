/**
 * Soak: 200 jobs through the real runner, library and client against the fake API, with faults
 * drawn from a seeded random stream — 5xx and 429 (with Retry-After) on every endpoint,
 * connections cut before an answer and in the middle of one, a hung status call, jobs the model
 * fails, result links that have expired. At the end every job is accounted for: completed with its
 * whole video, or failed or unknown with the message that says why, exactly as the faults drawn
 * predict; the fake saw exactly one submission per job; the library opens consistent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/contract';
import { isCompleteMp4 } from '../../main/services/jobs/mp4';
import type { Behaviour, Endpoint } from '../fake-runcomfy/server';
import { CLIP, expectConsistent, faultRig } from './rig';
import type { Rig } from './rig';

const JOBS = 200;
const MODEL_FAILURE = 'The model could not follow the prompt.';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

type SubmitFault = 'none' | '503' | '429' | 'on-arrival' | 'after-handling' | 'mid-body';
const SUBMIT_FAULTS: [SubmitFault, number][] = [
  ['503', 0.03],
  ['429', 0.03],
  ['on-arrival', 0.02],
  ['after-handling', 0.03],
  ['mid-body', 0.02],
];
/** Faults on the calls that follow a job, queued for whichever job asks next. */
const FOLLOW_FAULTS: [Endpoint, Behaviour, number][] = [
  ['status', { respond: 503, body: { detail: 'overloaded' } }, 0.15],
  ['status', { respond: 429, headers: { 'retry-after': '0' }, body: { detail: 'slow down' } }, 0.1],
  ['status', { drop: 'on-arrival' }, 0.05],
  ['status', { drop: 'mid-body' }, 0.05],
  ['status', { delayMs: 1_500 }, 0.01],
  ['result', { respond: 502 }, 0.05],
  ['result', { respond: 429, headers: { 'retry-after': '0' } }, 0.05],
  ['result', { drop: 'mid-body' }, 0.05],
  ['video', { drop: 'mid-body' }, 0.1],
  ['video', { drop: 'on-arrival' }, 0.04],
  ['video', { respond: 500 }, 0.05],
  ['video', { respond: 403, body: 'Request has expired' }, 0.05],
];

interface Planned {
  id?: string;
  prompt: string;
  submitFault: SubmitFault;
  modelFails: boolean;
  error?: AppError;
}

describe('soak', () => {
  let r: Rig;
  afterAll(async () => {
    await r?.close();
  });

  it(`${JOBS} jobs with random faults: each completes with its whole video or fails visibly and accurately, each sent once`, async () => {
    const rand = seeded(9_2026);
    r = await faultRig({
      fake: {
        plan: { queuePositions: 1, stepMs: 30, progressMs: 40 },
        planFor: (body) => (String(body['prompt']).includes('[model fails]') ? { outcome: { failed: MODEL_FAILURE } } : undefined),
      },
      client: { timeouts: { requestMs: 1_000, submitMs: 5_000 } },
    });
    const planned: Planned[] = [];
    let injected = 0;

    for (let n = 0; n < JOBS; n++) {
      let roll = rand();
      let submitFault: SubmitFault = 'none';
      for (const [fault, p] of SUBMIT_FAULTS) {
        if (roll < p) {
          submitFault = fault;
          break;
        }
        roll -= p;
      }
      const modelFails = rand() < 0.1;
      for (const [endpoint, behaviour, p] of FOLLOW_FAULTS) {
        if (rand() < p) {
          r.fake.script(endpoint, behaviour);
          injected++;
        }
      }
      if (submitFault === '503') r.fake.script('submit', { respond: 503, body: { detail: 'maintenance' } });
      if (submitFault === '429') r.fake.script('submit', { respond: 429, headers: { 'retry-after': '30' } });
      if (submitFault !== 'none' && submitFault !== '503' && submitFault !== '429') r.fake.script('submit', { drop: submitFault });

      const job: Planned = { prompt: `soak ${n} @Image1 to @Image2${modelFails ? ' [model fails]' : ''}`, submitFault, modelFails };
      planned.push(job);
      try {
        job.id = (await r.runner.submit(r.request(job.prompt))).id;
      } catch (error) {
        job.error = error as AppError;
        job.id = r.store.list({ text: `soak ${n}`, limit: 5 }).items.find((item) => item.prompt.startsWith(`soak ${n} `))?.id;
      }
    }
    await r.runner.idle();

    // Every job is in the library, and ended as its faults say it must.
    const tally: Record<string, number> = {};
    for (const job of planned) {
      expect(job.id, `${job.prompt} was recorded`).toBeDefined();
      const record = r.store.require(job.id!);
      const item = r.runner.item(job.id!);
      tally[record.status] = (tally[record.status] ?? 0) + 1;
      const where = `${job.prompt} (${job.submitFault})`;
      switch (job.submitFault) {
        case '503':
          // A 5xx may come after RunComfy made the job (a gateway): never called refused (API.md, Submit).
          expect(record.status, where).toBe('submit_unknown');
          expect(job.error?.message).toMatch(/^RunComfy's API is having trouble \(HTTP 503 Service Unavailable: maintenance\)/);
          expect(item?.needsDecision).toBe(true);
          break;
        case '429':
          expect(record.status, where).toBe('failed');
          expect(record.error).toBe('RunComfy is receiving too many requests from this account. Try again in 30 seconds.');
          break;
        case 'on-arrival':
        case 'after-handling':
        case 'mid-body':
          expect(record.status, where).toBe('submit_unknown');
          expect(item?.needsDecision).toBe(true);
          expect(record.history.at(-1)?.note, where).toMatch(/check your RunComfy dashboard before submitting it again/i);
          break;
        case 'none':
          if (job.modelFails) {
            expect(record.status, where).toBe('failed');
            expect(record.error).toBe(MODEL_FAILURE);
          } else {
            expect(record.status, `${where}: ${record.error ?? ''}`).toBe('completed');
            const video = record.files.find((file) => file.kind === 'video');
            expect(video?.complete, where).toBe(true);
            expect(video?.bytes).toBe(CLIP.length);
            const path = r.store.fileOf(job.id!, video!.name);
            expect(await isCompleteMp4(path), where).toBe(true);
          }
      }
      // A failure is visible in the queue with the same words.
      if (record.status === 'failed') expect(item?.error, where).toBe(record.error);
    }

    // The fake saw exactly one submission request per job, and made a job for each it handled.
    expect(r.fake.count('submit')).toBe(JOBS);
    const refusedBeforeHandling = planned.filter((job) => ['503', '429', 'on-arrival'].includes(job.submitFault)).length;
    expect(r.fake.submissions).toHaveLength(JOBS - refusedBeforeHandling);
    const unknown = planned.filter((job) => ['503', 'on-arrival', 'after-handling', 'mid-body'].includes(job.submitFault)).length;
    expect(tally['submit_unknown'] ?? 0).toBe(unknown);
    // The faults really happened, in numbers: drawn, and nearly all met by some request.
    expect(injected).toBeGreaterThan(JOBS / 2);
    expect(injected - r.fake.pendingRules).toBeGreaterThan(injected * 0.8);
    expect(planned.filter((job) => job.submitFault !== 'none').length).toBeGreaterThan(10);
    expect(tally['completed']).toBeGreaterThan(JOBS / 2);
    console.log(
      `soak: ${JSON.stringify(tally)}; ${injected - r.fake.pendingRules} of ${injected} faults on following calls met; ` +
        `${r.fake.requests.length} requests to the fake`,
    );

    const records = await r.reopen();
    expect(records).toHaveLength(JOBS);
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  }, 120_000);
});
