/**
 * The RunComfy client against the fake API (test/fake-runcomfy) over real HTTP on 127.0.0.1:
 * every error class, the retry and no-retry rules, timeouts and aborts.
 */
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { FIXTURE_VIDEO, startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { createRunComfyClient, resolveBaseUrl } from './client';
import type { RunComfyClientOptions, SubmitInput } from './client';

const TOKEN = 'rc_test_token_7f3a9c2e';
const input: SubmitInput = {
  prompt: 'The girl is walking on the street',
  start_image_url: 'https://example.com/a.png',
  end_image_url: 'https://example.com/b.png',
  duration: 5,
};

let fake: FakeRunComfy;
let refused: string[];

beforeEach(async () => {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 2, stepMs: Infinity, progressMs: Infinity } });
  refused = [];
});
afterEach(async () => {
  await fake.close();
});

function client(overrides: Partial<RunComfyClientOptions> = {}) {
  return createRunComfyClient({
    baseUrl: fake.url,
    getToken: () => TOKEN,
    retry: { baseDelayMs: 10, maxDelayMs: 40 },
    onUnauthorized: (token) => refused.push(token),
    ...overrides,
  });
}

/** The AppError a promise rejects with (fails the test if it resolves). */
async function failure(pending: Promise<unknown>): Promise<AppError> {
  const outcome = await pending.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(AppError);
  return outcome.error as AppError;
}

describe('a job from submission to video', () => {
  it('submits once, follows the queue as it moves, and gets the MP4 from the result URL', async () => {
    const api = client();
    const job = await api.submit(input);
    expect(fake.count('submit')).toBe(1);
    expect(fake.submissions[0].body).toEqual(input);
    expect(job.statusUrl).toBe(`${fake.url}/v1/requests/${job.requestId}/status`);

    expect(await api.status(job)).toMatchObject({ state: 'in_queue', queuePosition: 2 });
    fake.advance(job.requestId);
    expect(await api.status(job.requestId)).toMatchObject({ state: 'in_queue', queuePosition: 1 });
    fake.advance(job.requestId);
    expect(await api.status(job)).toEqual({ requestId: job.requestId, state: 'in_progress', rawStatus: 'starting' });
    fake.advance(job.requestId);
    expect(await api.status(job)).toEqual({ requestId: job.requestId, state: 'in_progress', rawStatus: 'in_progress' });
    expect(await api.result(job)).toMatchObject({ state: 'in_progress' });
    fake.advance(job.requestId);
    const result = await api.result(job);
    expect(result.state).toBe('completed');
    if (result.state !== 'completed') return;
    const video = await fetch(result.videoUrls[0]);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await video.arrayBuffer()).equals(await readFile(FIXTURE_VIDEO))).toBe(true);
  });

  it('moves on its own on the fake clock', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    await fake.close();
    fake = await startFakeRunComfy({ tokens: [TOKEN], now: () => now, plan: { queuePositions: 3, stepMs: 40, progressMs: 60 } });
    const api = client();
    const job = await api.submit(input);
    const seen: string[] = [];
    for (let i = 0; i < 20; i++, now += 20) {
      const status = await api.status(job);
      const label = status.state === 'in_queue' ? `in_queue ${status.queuePosition}` : status.rawStatus;
      if (seen.at(-1) !== label) seen.push(label);
      if (status.state === 'completed') break;
    }
    expect(seen).toEqual(['in_queue 3', 'in_queue 2', 'in_queue 1', 'starting', 'in_progress', 'completed']);
  });

  it("reports a failed job; the reason comes from the result, as RunComfy's CLI reads it", async () => {
    fake.nextJob({ outcome: { failed: 'Content policy violation in the prompt.' }, queuePositions: 0, warmup: [], progressMs: 0 });
    const api = client();
    const job = await api.submit(input);
    expect(await api.status(job)).toEqual({ requestId: job.requestId, state: 'failed', rawStatus: 'failed' });
    expect(await api.result(job)).toMatchObject({ state: 'failed', message: 'Content policy violation in the prompt.' });
  });

  it('cancels a queued job, and reports a refusal for a running or finished one', async () => {
    const api = client();
    const queued = await api.submit(input);
    expect(await api.cancel(queued)).toEqual({ cancelled: true, status: 'cancelled' });
    expect(await api.status(queued)).toMatchObject({ state: 'cancelled' });

    const running = await api.submit(input);
    fake.advance(running.requestId, 3);
    expect(await api.cancel(running)).toEqual({ cancelled: false, status: 'in_progress' });
    expect(await api.status(running)).toMatchObject({ state: 'in_progress' });
    fake.advance(running.requestId);
    expect(await api.cancel(running.requestId)).toEqual({ cancelled: false, status: 'completed' });
  });
});

describe('errors a user understands', () => {
  it('bad token: 401 tells onUnauthorized, is not retried, and the message says what to do', async () => {
    const api = client({ getToken: () => 'rc_wrong_token_0000' });
    const error = await failure(api.status('any-id'));
    expect(error.code).toBe('bad_token');
    expect(error.message).toMatch(/the API token is invalid or has expired \(HTTP 401 Unauthorized, error 400004\)/);
    expect(refused).toEqual(['rc_wrong_token_0000']);
    expect(fake.count('status')).toBe(1);
  });

  it('bad token: 403 is the same', async () => {
    fake.script('result', { respond: 403, body: { message: 'Forbidden' } });
    const error = await failure(client().result('any-id'));
    expect(error.code).toBe('bad_token');
    expect(refused).toEqual([TOKEN]);
  });

  it('checks the token before the id: a wrong token and an unknown id is a 401', async () => {
    expect((await failure(client({ getToken: () => 'nope-nope' }).status('unknown'))).code).toBe('bad_token');
  });

  it('not found names the request and says it may have expired', async () => {
    const error = await failure(client().status('0b8f7c0e-unknown'));
    expect(error).toMatchObject({ code: 'not_found', details: { errorCode: '404001', expired: true } });
    expect(error.message).toContain('0b8f7c0e-unknown');
    expect(error.message).toContain('expired');
    expect(fake.count('status')).toBe(1);
  });

  it("invalid input carries the server's field messages and is not retried", async () => {
    const bad = { prompt: '', start_image_url: 'file:///etc/passwd', duration: 7 } as unknown as SubmitInput;
    const error = await failure(client().submit(bad));
    expect(error.code).toBe('invalid_input');
    expect(error.details?.['fields']).toEqual({
      prompt: 'Prompt must not be empty',
      start_image_url: 'Input should be a valid URL, an http(s) address',
      end_image_url: 'Field required',
      duration: 'Input should be 5 or 10',
    });
    expect(error.message).toContain('duration: Input should be 5 or 10');
    expect(fake.count('submit')).toBe(1);
    expect(fake.jobIds).toEqual([]);
  });

  it.each([
    [{ errors: { prompt: ['is required'] } }, { prompt: 'is required' }],
    [{ errors: [{ field: 'duration', message: 'must be 5 or 10' }] }, { duration: 'must be 5 or 10' }],
    [{ message: 'Bad request' }, {}],
  ])('reads field messages from the body %j', async (body, fields) => {
    fake.script('submit', { respond: 400, body });
    const error = await failure(client().submit(input));
    expect(error.code).toBe('invalid_input');
    expect(error.details?.['fields']).toEqual(fields);
    if (!Object.keys(fields).length) expect(error.message).toContain('Bad request');
  });

  it('a body too large is invalid input that says so', async () => {
    fake.script('submit', { respond: 413, body: 'Payload Too Large' });
    const error = await failure(client().submit(input));
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(error.message).toContain('too large');
  });

  it('rate limited: waits for Retry-After on an idempotent call, then succeeds', async () => {
    const api = client();
    const job = await api.submit(input);
    fake.script('status', { respond: 429, headers: { 'retry-after': '1' }, body: { detail: 'Too many requests' } });
    expect(await api.status(job)).toMatchObject({ state: 'in_queue' });
    const [first, second] = fake.requests.filter((request) => request.endpoint === 'status');
    expect(first.status).toBe(429);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
  });

  it('rate limited: a Retry-After beyond the cap is not waited for; the seconds are reported', async () => {
    fake.script('status', { respond: 429, headers: { 'retry-after': '120' } });
    const error = await failure(client().status('x'));
    expect(error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 120 } });
    expect(error.message).toContain('Try again in 120 seconds');
    expect(fake.count('status')).toBe(1);
  });

  it('rate limited: submit is not retried (the caller decides when to send the job again)', async () => {
    fake.script('submit', { respond: 429, headers: { 'retry-after': '1' } });
    expect(await failure(client().submit(input))).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 1 } });
    expect(fake.count('submit')).toBe(1);
  });

  it('server error: idempotent calls retry 5xx, then give up with a clear message', async () => {
    const api = client();
    const job = await api.submit(input);
    fake.script('status', { respond: 503 }, 2);
    expect(await api.status(job)).toMatchObject({ state: 'in_queue' });
    expect(fake.count('status')).toBe(3);

    fake.script('result', { respond: 502, body: { error: 'upstream down' } }, 10);
    const error = await failure(api.result(job));
    expect(error.code).toBe('server');
    expect(error.message).toBe("RunComfy's API is having trouble (HTTP 502 Bad Gateway: upstream down). Try again in a few minutes.");
    expect(fake.count('result')).toBe(4);
  });

  it('server error: submit is never retried, and it is not called refused (the job may exist)', async () => {
    fake.script('submit', { respond: 500 }, 3);
    expect(await failure(client().submit(input))).toMatchObject({ code: 'server', details: { mayHaveSubmitted: true } });
    expect(fake.count('submit')).toBe(1);
  });

  it('server error: a 501 or an unexpected 4xx is not retried', async () => {
    fake.script('status', { respond: 501 });
    expect((await failure(client().status('x'))).code).toBe('server');
    fake.script('status', { respond: 418, body: { detail: "I'm a teapot" } });
    expect((await failure(client().status('x'))).message).toContain("I'm a teapot");
    expect(fake.count('status')).toBe(2);
  });

  it('network down: says RunComfy could not be reached, after retrying', async () => {
    const closedPort = await freePort();
    let calls = 0;
    const api = client({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    const error = await failure(api.status('x'));
    expect(error.code).toBe('network');
    expect(error.message).toBe(
      `Keyframe could not reach RunComfy (127.0.0.1:${closedPort}). Check your internet connection and try again.`,
    );
    expect(calls).toBe(4);
  });

  it('a dropped connection on an idempotent call is retried', async () => {
    const api = client();
    const job = await api.submit(input);
    fake.script('status', { drop: 'on-arrival' });
    fake.script('result', { drop: 'mid-body' });
    expect(await api.status(job)).toMatchObject({ state: 'in_queue' });
    expect(await api.result(job)).toMatchObject({ state: 'in_queue' });
    expect(fake.count('status')).toBe(2);
    expect(fake.count('result')).toBe(2);
  });

  it('malformed answers are rejected with a clear error; extra fields are fine', async () => {
    fake.script('status', { respond: 200, body: { queue_position: 1 } });
    const missing = await failure(client().status('x'));
    expect(missing.code).toBe('server');
    expect(missing.message).toMatch(/does not understand \("status"/);

    fake.script('status', { respond: 200, body: { status: 'in_queue', queue_position: 'soon', request_id: 7 } });
    expect(await client().status('x')).toEqual({ requestId: 'x', state: 'in_queue', rawStatus: 'in_queue' });

    fake.script('status', { respond: 200, body: { status: 'in_queue', queue_position: 4, eta_seconds: 30, extra: { nested: true } } });
    expect(await client().status('x')).toEqual({ requestId: 'x', state: 'in_queue', rawStatus: 'in_queue', queuePosition: 4 });

    fake.script('result', { respond: 200, body: { status: 'completed', output: {} } });
    expect((await failure(client().result('x'))).message).toContain('no video address');

    fake.script('result', { respond: 200, body: { status: 'completed', output: { video: 'ftp://x/video.mp4' } } });
    expect((await failure(client().result('x'))).message).toContain('no video address');

    fake.script('result', { respond: 200, body: { output: { videos: ['https://cdn.example/a.mp4'] }, usage: { credits: 3 } } });
    expect(await client().result('x')).toEqual({ requestId: 'x', state: 'completed', videoUrls: ['https://cdn.example/a.mp4'] });

    fake.script('status', { respond: 200, body: '<html>gateway</html>' });
    expect((await failure(client().status('x'))).code).toBe('server');
  });

  it('a state Keyframe has no name for is never an end, even with an error text beside it', async () => {
    fake.script('status', { respond: 200, body: { status: 'exploded', error: { message: 'GPU fell over' } } });
    expect(await client().status('x')).toMatchObject({ state: 'unknown', rawStatus: 'exploded', message: 'GPU fell over' });
    fake.script('status', { respond: 200, body: { status: 'warming_up' } });
    expect(await client().status('x')).toEqual({ requestId: 'x', state: 'unknown', rawStatus: 'warming_up' });
    // Words that name properties every plain object has are states like any other.
    for (const word of ['constructor', 'toString', '__proto__']) {
      fake.script('status', { respond: 200, body: { status: word } });
      expect(await client().status('x')).toEqual({ requestId: 'x', state: 'unknown', rawStatus: word });
    }
  });
});

describe('submit is sent once when it may have reached the server', () => {
  it('a connection dropped after the server took the job: not resent, and the message says so', async () => {
    fake.script('submit', { drop: 'after-handling' });
    const error = await failure(client().submit(input));
    expect(error.code).toBe('network');
    expect(error.details).toMatchObject({ mayHaveSubmitted: true });
    expect(error.message).toContain('did not send it again');
    expect(fake.count('submit')).toBe(1);
    expect(fake.jobIds).toHaveLength(1);
  });

  it('an answer cut off mid-body: not resent', async () => {
    fake.script('submit', { drop: 'mid-body' });
    const error = await failure(client().submit(input));
    expect(error).toMatchObject({ code: 'network', details: { mayHaveSubmitted: true } });
    expect(fake.count('submit')).toBe(1);
  });

  it('an unreadable success answer: not resent, and the job id is known to be lost', async () => {
    fake.script('submit', { respond: 200, body: { id: 'where-is-request_id' } });
    const error = await failure(client().submit(input));
    expect(error).toMatchObject({ code: 'server', details: { mayHaveSubmitted: true } });
    expect(error.message).toContain('"request_id"');
    expect(fake.count('submit')).toBe(1);
  });

  it('a timeout: not resent', async () => {
    fake.script('submit', { delayMs: 60_000 });
    const error = await failure(client().submit(input, { timeoutMs: 1500 }));
    expect(error).toMatchObject({ code: 'timeout', details: { mayHaveSubmitted: true } });
    expect(fake.count('submit')).toBe(1);
  });

  it('a refused connection never reached a server, so submit tries again', async () => {
    const closedPort = await freePort();
    let tries = 0;
    const api = client({
      fetch: (url, init) =>
        ++tries <= 2 ? fetch(String(url).replace(fake.url, `http://127.0.0.1:${closedPort}`), init) : fetch(url, init),
    });
    const job = await api.submit(input);
    expect(tries).toBe(3);
    expect(fake.count('submit')).toBe(1);
    expect(fake.jobIds).toEqual([job.requestId]);
  });
});

describe('timeouts and aborts', () => {
  it('a slow answer times out; idempotent calls try again and then report the timeout', async () => {
    fake.script('status', { delayMs: 60_000 }, 10);
    const error = await failure(client().status('x', { timeoutMs: 1500, retry: { attempts: 2 } }));
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/did not answer within 1.5 seconds/);
    expect(fake.count('status')).toBe(2);
  });

  it('a slow answer that arrives in time is fine', async () => {
    const job = await client().submit(input);
    fake.script('status', { delayMs: 300 });
    expect(await client().status(job, { timeoutMs: 15_000 })).toMatchObject({ state: 'in_queue' });
    expect(fake.count('status')).toBe(1);
  });

  it('the caller can abort a request in flight', async () => {
    fake.script('status', { delayMs: 60_000 });
    const controller = new AbortController();
    const pending = client().status('x', { signal: controller.signal });
    await until(() => fake.count('status') === 1);
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe('aborted');
    expect(fake.count('status')).toBe(1);
  });

  it('the caller can abort while the client waits to retry', async () => {
    fake.script('status', { respond: 503 }, 10);
    const controller = new AbortController();
    const pending = client({ retry: { baseDelayMs: 5000, maxDelayMs: 5000 } }).status('x', { signal: controller.signal });
    // Aborted once the first answer (a 503) is in, while the client waits 2.5–5 s to try again.
    await until(() => fake.requests.some((request) => request.endpoint === 'status' && request.status === 503));
    controller.abort();
    expect((await failure(pending)).code).toBe('aborted');
    expect(fake.count('status')).toBe(1);
  });

  it('an already aborted signal sends nothing', async () => {
    expect((await failure(client().submit(input, { signal: AbortSignal.abort() }))).code).toBe('aborted');
    expect(fake.count('submit')).toBe(0);
  });
});

describe('the token goes to the API only', () => {
  it('ignores returned URLs on another origin and builds its own', async () => {
    fake.script('submit', {
      respond: 200,
      body: { request_id: 'r1', status_url: 'https://elsewhere.example/steal', cancel_url: 'not a url' },
    });
    const job = await client().submit(input);
    expect(job).toEqual({
      requestId: 'r1',
      statusUrl: `${fake.url}/v1/requests/r1/status`,
      resultUrl: `${fake.url}/v1/requests/r1/result`,
      cancelUrl: `${fake.url}/v1/requests/r1/cancel`,
    });
  });

  it('does not follow a redirect (which would carry the token elsewhere)', async () => {
    const other = await startFakeRunComfy({ tokens: [TOKEN] });
    fake.script('status', { respond: 302, headers: { location: `${other.url}/v1/requests/x/status` } });
    const error = await failure(client().status('x'));
    expect(error.message).toContain('redirect');
    expect(other.requests).toEqual([]);
    await other.close();
  });

  it('refuses plain http to another computer before sending anything', async () => {
    let called = false;
    const api = client({ baseUrl: 'http://model-api.example.com', fetch: async () => ((called = true), new Response()) });
    expect((await failure(api.status('x'))).message).toContain('only over https');
    expect(called).toBe(false);
  });

  it('sends no request without a token, or with a token that cannot be one', async () => {
    expect((await failure(client({ getToken: () => undefined }).status('x'))).code).toBe('bad_token');
    const error = await failure(client({ getToken: () => 'rc_abc\ndef_secret' }).status('x'));
    expect(error.code).toBe('bad_token');
    expect(error.message).not.toContain('def_secret');
    expect(fake.requests).toEqual([]);
  });

  it('never repeats the token from a server answer in an error', async () => {
    fake.script('status', { respond: 401, body: { detail: `Token ${TOKEN} is revoked` } });
    fake.script('submit', { respond: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: `bad ${TOKEN}` }] } });
    const errors = [await failure(client().status('x')), await failure(client().submit(input))];
    for (const error of errors) expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(TOKEN);
  });
});

describe('resolveBaseUrl', () => {
  it('prefers KEYFRAME_API_BASE_URL, then the setting, then RunComfy', () => {
    expect(resolveBaseUrl({ KEYFRAME_API_BASE_URL: 'http://127.0.0.1:9' }, 'https://set.example')).toBe('http://127.0.0.1:9');
    expect(resolveBaseUrl({ KEYFRAME_API_BASE_URL: ' ' }, 'https://set.example')).toBe('https://set.example');
    expect(resolveBaseUrl({}, '')).toBe('https://model-api.runcomfy.net');
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resume) => setTimeout(resume, 5));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
