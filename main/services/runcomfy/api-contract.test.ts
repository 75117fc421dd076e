/**
 * One row per rule of ../shared/API.md (RunComfy's contract as RunComfy's own CLI and ComfyUI
 * nodes show it), each played against the fake API over real HTTP through the real client. The
 * table is the index: a rule without a row here is a rule nobody checks. Rules about what the app
 * does with an answer (expiry, another account's job, downloads, inline frames) have their own
 * tests through the runner: test/faults/runcomfy-answers.test.ts, main/cli/jobs.test.ts,
 * main/services/jobs/download.test.ts and the hosting tests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { createRunComfyClient } from './client';
import type { RunComfyClient, SubmitInput } from './client';

const TOKEN = 'rc_contract_token_5d1e';
const input: SubmitInput = {
  prompt: '@Image1 walks into @Image2',
  start_image_url: 'https://frames.example/a.png',
  end_image_url: 'https://frames.example/b.png',
  duration: 5,
};

interface Row {
  /** API.md's section, and its rule in a few words. */
  rule: string;
  arrange?: (fake: FakeRunComfy) => void;
  act: (api: RunComfyClient, fake: FakeRunComfy) => Promise<unknown>;
  /** What the call resolves to (matched), or the error it rejects with (matched). */
  gives?: Record<string, unknown>;
  fails?: Record<string, unknown>;
  /** What else must hold afterwards (requests the fake saw, tokens reported refused). */
  then?: (fake: FakeRunComfy, refused: string[]) => void;
}

const status = (body: Record<string, unknown>) => (fake: FakeRunComfy) => void fake.script('status', { respond: 200, body });
const result = (body: Record<string, unknown>) => (fake: FakeRunComfy) => void fake.script('result', { respond: 200, body });
const answer = (respond: number, body?: unknown) => ({ respond, ...(body === undefined ? {} : { body }) });
const submitted = async (api: RunComfyClient) => (await api.submit(input)).requestId;
const sentOnce = (fake: FakeRunComfy) => expect(fake.count('submit')).toBe(1);
const mayHaveSubmitted = { details: expect.objectContaining({ mayHaveSubmitted: true }) };

const rows: Row[] = [
  // Basics
  {
    rule: 'Basics: every request carries the Bearer token; submit posts JSON to /v1/models/{model}',
    act: (api) => api.submit(input),
    gives: { requestId: expect.any(String) },
    then: (fake) => expect(fake.submissions[0].body).toEqual(input),
  },
  {
    rule: 'Submit: the returned status/result/cancel URLs are used when on the API origin',
    arrange: (fake) => void fake.script('submit', answer(200, { request_id: 'r9', status_url: `${fake.url}/v1/requests/r9/status?v=2` })),
    act: (api) => api.submit(input),
    gives: { requestId: 'r9', statusUrl: expect.stringMatching(/\/v1\/requests\/r9\/status\?v=2$/) },
  },
  // Status
  ...['in_queue', 'pending', 'waiting'].map((word): Row => ({
    rule: `Status: "${word}" is waiting in line`,
    arrange: status({ status: word, queue_position: 3 }),
    act: (api) => api.status('r1'),
    gives: { state: 'in_queue', rawStatus: word, queuePosition: 3 },
  })),
  ...['in_progress', 'starting', 'processing'].map((word): Row => ({
    rule: `Status: "${word}" is being made`,
    arrange: status({ status: word }),
    act: (api) => api.status('r1'),
    gives: { state: 'in_progress', rawStatus: word },
  })),
  {
    rule: 'Status: any other state, even one carrying an error text, means still working (never an end)',
    arrange: status({ status: 'quantum_superposition', error: 'ignored' }),
    act: (api) => api.status('r1'),
    gives: { state: 'unknown', rawStatus: 'quantum_superposition' },
  },
  ...[
    ['completed', 'completed'],
    ['succeeded', 'completed'],
    ['failed', 'failed'],
    ['error', 'failed'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
  ].map(([word, state]): Row => ({
    rule: `Status: "${word}" ends the job as ${state}`,
    arrange: status({ status: word }),
    act: (api) => api.status('r1'),
    gives: { state, rawStatus: word },
  })),
  {
    rule: 'Status: a malformed optional field (queue_position) is ignored, extra fields are fine',
    arrange: status({ status: 'in_queue', queue_position: 'third', eta: { s: 4 }, instance_id: 7 }),
    act: (api) => api.status('r1'),
    gives: { state: 'in_queue', rawStatus: 'in_queue' },
    then: () => expect(last).not.toHaveProperty('queuePosition'),
  },
  // Result
  {
    rule: 'Result: output.video is the video',
    arrange: result({ status: 'completed', output: { video: 'https://cdn.runcomfy.net/v.mp4' } }),
    act: (api) => api.result('r1'),
    gives: { state: 'completed', videoUrls: ['https://cdn.runcomfy.net/v.mp4'] },
  },
  {
    rule: 'Result: output.videos is accepted too; malformed entries are dropped',
    arrange: result({ status: 'succeeded', output: { videos: ['https://cdn.runcomfy.net/a.mp4', 42, 'nope'] } }),
    act: (api) => api.result('r1'),
    gives: { state: 'completed', videoUrls: ['https://cdn.runcomfy.net/a.mp4'] },
  },
  {
    rule: 'Result: not complete yet, it returns the current status to keep polling',
    arrange: result({ status: 'in_progress' }),
    act: (api) => api.result('r1'),
    gives: { state: 'in_progress' },
  },
  ...[
    ['a string', 'Prompt rejected by the safety filter.', 'Prompt rejected by the safety filter.'],
    ['{message, code}', { message: 'GPU out of memory', code: 'oom' }, 'GPU out of memory (code oom)'],
    ['any other shape', ['frame', 2, 'unreadable'], '["frame",2,"unreadable"]'],
  ].map(([shape, error, reason]): Row => ({
    rule: `Result: a failure's reason is the result's error, as ${String(shape)}`,
    arrange: result({ status: 'failed', error }),
    act: (api) => api.result('r1'),
    gives: { state: 'failed', message: reason },
  })),
  {
    rule: 'Result: a result that says failed wins over an output it also carries',
    arrange: result({ status: 'failed', error: 'post-processing failed', output: { video: 'https://cdn.runcomfy.net/v.mp4' } }),
    act: (api) => api.result('r1'),
    gives: { state: 'failed', message: 'post-processing failed' },
  },
  {
    rule: 'Result: 404001 means unknown or expired at RunComfy (results are kept 7 days)',
    act: (api) => api.result('gone-request'),
    fails: { code: 'not_found', details: expect.objectContaining({ errorCode: '404001', expired: true }) },
  },
  // Cancel
  {
    rule: 'Cancel: outcome "cancelled" is cancelled',
    act: async (api) => api.cancel(await submitted(api)),
    gives: { cancelled: true },
  },
  {
    rule: 'Cancel: outcome "not_cancellable" is not cancelled, the job goes on',
    act: async (api, fake) => {
      const id = await submitted(api);
      fake.advance(id);
      return api.cancel(id);
    },
    gives: { cancelled: false, status: 'in_progress' },
  },
  {
    rule: 'Cancel: a cancelled status without an outcome is cancelled',
    arrange: (fake) => void fake.script('cancel', answer(200, { status: 'canceled' })),
    act: (api) => api.cancel('r1'),
    gives: { cancelled: true },
  },
  {
    rule: 'Cancel: a 4xx refusal is not cancelled, with the server text',
    arrange: (fake) => void fake.script('cancel', answer(409, { detail: 'already running' })),
    act: (api) => api.cancel('r1'),
    gives: { cancelled: false, message: 'already running' },
  },
  // Errors: error_code first, HTTP status second
  {
    rule: 'Errors: 400002 is a low balance',
    arrange: (fake) => void fake.script('submit', answer(400, { error_code: 400002, error_message: 'Insufficient balance' })),
    act: (api) => api.submit(input),
    fails: { code: 'insufficient_balance', message: expect.stringMatching(/^Your RunComfy balance is too low/) },
    then: sentOnce,
  },
  {
    rule: "Errors: HTTP 402 is a low balance (RunComfy's nodes)",
    arrange: (fake) => void fake.script('submit', answer(402, 'Payment Required')),
    act: (api) => api.submit(input),
    fails: { code: 'insufficient_balance' },
  },
  {
    rule: 'Errors: 400004 is a bad token whatever the HTTP status, and is reported as refused',
    arrange: (fake) => void fake.script('status', answer(400, { error_code: '400004', message: 'token expired' })),
    act: (api) => api.status('r1'),
    fails: { code: 'bad_token' },
    then: (_fake, refused) => expect(refused).toEqual([TOKEN]),
  },
  {
    rule: 'Errors: a 401 without a code is a bad token',
    arrange: (fake) => void fake.script('status', answer(401, { detail: 'Unauthorized' })),
    act: (api) => api.status('r1'),
    fails: { code: 'bad_token' },
    then: (_fake, refused) => expect(refused).toEqual([TOKEN]),
  },
  {
    rule: "Errors: 403001 is another account's request, never a bad token (no sign-out)",
    arrange: (fake) => void fake.script('status', answer(403, { error_code: 403001, error_message: 'Forbidden' })),
    act: (api) => api.status('r1'),
    fails: { code: 'other_account', message: expect.stringContaining('the request r1 belongs to another RunComfy account') },
    then: (_fake, refused) => expect(refused).toEqual([]),
  },
  {
    rule: 'Errors: a 200 whose body carries an error_code is an error',
    arrange: (fake) => void fake.script('status', answer(200, { error_code: 404001, error_message: 'not found' })),
    act: (api) => api.status('r1'),
    fails: { code: 'not_found' },
  },
  {
    rule: 'Errors: 400/422 invalid input names the field',
    arrange: (fake) => void fake.script('submit', answer(422, { detail: [{ loc: ['body', 'duration'], msg: 'Input should be 5 or 10' }] })),
    act: (api) => api.submit(input),
    fails: { code: 'invalid_input', details: expect.objectContaining({ fields: { duration: 'Input should be 5 or 10' } }) },
  },
  {
    rule: 'Errors: 429 is rate limited, with its Retry-After',
    arrange: (fake) => void fake.script('status', { respond: 429, headers: { 'retry-after': '90' } }),
    act: (api) => api.status('r1'),
    fails: { code: 'rate_limited', details: expect.objectContaining({ retryAfterSeconds: 90 }) },
  },
  {
    rule: "Errors: a proxy's HTML page is server trouble, retried on idempotent calls",
    arrange: (fake) => void fake.script('status', { gateway: 503 }, 2),
    act: async (api) => api.status(await submitted(api)),
    gives: { state: 'in_queue' },
    then: (fake) => expect(fake.count('status')).toBe(3),
  },
  // Submit is never resent, never called refused unless RunComfy said so
  {
    rule: 'Submit: a 5xx is "maybe submitted", not sent again',
    arrange: (fake) => void fake.script('submit', answer(503, { detail: 'busy' })),
    act: (api) => api.submit(input),
    fails: { code: 'server', ...mayHaveSubmitted },
    then: sentOnce,
  },
  {
    rule: 'Submit: a gateway\'s HTML page after RunComfy made the job is "maybe submitted"',
    arrange: (fake) => void fake.script('submit', { gateway: 502, handled: true }),
    act: (api) => api.submit(input),
    fails: mayHaveSubmitted,
    then: (fake) => (sentOnce(fake), expect(fake.jobIds).toHaveLength(1)),
  },
  {
    rule: 'Submit: a 4xx without an error body (an HTML page) is "maybe submitted"',
    arrange: (fake) => void fake.script('submit', answer(404, '<html>Not Found</html>')),
    act: (api) => api.submit(input),
    fails: mayHaveSubmitted,
    then: sentOnce,
  },
  {
    rule: 'Submit: a connection broken after the request left is "maybe submitted"',
    arrange: (fake) => void fake.script('submit', { drop: 'after-handling' }),
    act: (api) => api.submit(input),
    fails: { code: 'network', ...mayHaveSubmitted },
    then: sentOnce,
  },
  {
    rule: 'Submit: an unreadable success answer is "maybe submitted"',
    arrange: (fake) => void fake.script('submit', answer(200, '<html>ok</html>')),
    act: (api) => api.submit(input),
    fails: mayHaveSubmitted,
    then: sentOnce,
  },
  {
    rule: 'Submit: a 4xx with an error body is a refusal (nothing was made)',
    arrange: (fake) => void fake.script('submit', answer(400, { error_code: 400100, error_message: 'Bad prompt' })),
    act: (api) => api.submit(input),
    fails: { code: 'invalid_input', details: expect.not.objectContaining({ mayHaveSubmitted: true }) },
    then: sentOnce,
  },
  {
    rule: 'Submit: a 200 with an error_code is a refusal',
    arrange: (fake) => void fake.script('submit', answer(200, { error_code: 400002, error_message: 'Insufficient balance' })),
    act: (api) => api.submit(input),
    fails: { code: 'insufficient_balance', details: expect.not.objectContaining({ mayHaveSubmitted: true }) },
    then: sentOnce,
  },
];

let fake: FakeRunComfy;
let refused: string[];
/** What the last row's call resolved to. */
let last: unknown;
beforeEach(async () => {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 1, warmup: [], stepMs: Infinity, progressMs: Infinity } });
  refused = [];
});
afterEach(() => fake.close());

describe('API.md, row by row, against the fake through the client', () => {
  it.each(rows.map((row) => [row.rule, row] as const))('%s', async (_rule, row) => {
    const api = createRunComfyClient({
      baseUrl: fake.url,
      getToken: () => TOKEN,
      retry: { baseDelayMs: 5, maxDelayMs: 10 },
      onUnauthorized: (token) => refused.push(token),
    });
    row.arrange?.(fake);
    const outcome = await row.act(api, fake).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (row.fails) {
      expect('error' in outcome ? outcome.error : outcome).toBeInstanceOf(AppError);
      expect((outcome as { error: AppError }).error).toMatchObject(row.fails);
    } else {
      if ('error' in outcome) throw outcome.error;
      last = outcome.value;
      expect(outcome.value).toMatchObject(row.gives ?? {});
    }
    row.then?.(fake, refused);
  });
});
