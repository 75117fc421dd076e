/**
 * A local stand-in for RunComfy's Model API (/work/shared/API.md) on 127.0.0.1, for tests and
 * demos, answering in the shapes RunComfy's own clients meet (its CLI and ComfyUI nodes):
 * - errors carry `error_code` and `error_message` (400004 bad token, 400002 low balance, 403001
 *   another account's request, 404001 unknown or expired request);
 * - jobs pass through `pending` (optional), `in_queue` (positions counting down), `starting` and
 *   `in_progress`, then end `completed`, `failed` or `cancelled`; a failure's reason is only in
 *   /result (`error`: a string or `{message, code}`), never in /status;
 * - cancel answers 200 with `outcome`: `cancelled`, or `not_cancellable` once the job has started;
 * - requests expire after 7 days on the fake's clock (`now`), and signed video URLs on their own.
 * It serves real MP4 bytes from signed result URLs (with Range requests).
 *
 * Tests script it per case: `fake.script('status', { respond: 503 })`, `{ gateway: 502 }` (a
 * proxy's HTML page, optionally after handling), `{ delayMs }`, `{ holdUntil }`, `{ drop: 'on-arrival' |
 * 'after-handling' | 'mid-body' }`, `{ stall: 'mid-body' }`, and read `fake.count('submit')` to
 * assert that a job was submitted exactly once.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakePricing } from './pricing';

export const FAKE_MODEL_ID = 'kling/kling-video-o1/image-to-video';
export const FAKE_MODEL_PATH = `/v1/models/${FAKE_MODEL_ID}`;
export const FIXTURE_VIDEO = join(import.meta.dirname, '../fixtures/video/clip-5s.mp4');

export type Endpoint = 'submit' | 'status' | 'result' | 'cancel' | 'video' | 'price' | 'other';

export type Behaviour =
  /** Answer with this status (and body, headers) instead of the real answer; nothing is handled. */
  | { respond: number; body?: unknown; headers?: Record<string, string> }
  /** Wait, then answer normally. */
  | { delayMs: number }
  /** Hold the answer until the test's promise settles, then answer normally (a request held "in flight" for exactly as long as the test needs). */
  | { holdUntil: Promise<unknown> }
  /** on-arrival: cut the connection before handling. after-handling: handle (a submit creates its
   *  job), then cut without answering. mid-body: send the headers and part of the body, then cut. */
  | { drop: 'on-arrival' | 'after-handling' | 'mid-body' }
  /** Send the headers and part of the body, then nothing more until the client gives up (a hung download). */
  | { stall: 'mid-body' }
  /** A proxy's HTML error page; with `handled`, after the request was handled (a submit creates its job). */
  | { gateway: 502 | 503 | 504; handled?: boolean };

export interface JobPlan {
  /** States before the queue, one step each (e.g. `pending`). */
  intake: readonly string[];
  /** Queue positions the job passes through before running: 3 → 3, 2, 1. */
  queuePositions: number;
  /** States between the queue and `in_progress`, one step each (RunComfy's nodes wait on `starting`). */
  warmup: readonly string[];
  /** How long each step lasts; Infinity holds the job until `advance()`. */
  stepMs: number;
  /** How long it runs; Infinity holds it in_progress until `advance()`. */
  progressMs: number;
  /** How it ends; a failure's `error` has any shape (a string, `{message, code}`…). */
  outcome: { completed: true } | { failed: unknown };
  /** The result says this although the status said completed. */
  resultSays?: 'failed' | 'cancelled';
}

export interface FakeOptions {
  port?: number;
  tokens?: string[];
  plan?: Partial<JobPlan>;
  /** A plan chosen from what was submitted (e.g. the prompt), over `plan` and `nextJob`. */
  planFor?: (body: Record<string, unknown>) => Partial<JobPlan> | undefined;
  /** Status for a missing or wrong token. */
  unauthorizedStatus?: 401 | 403;
  /** The account's balance is too low: submit answers 402 with error 400002. */
  lowBalance?: boolean;
  /** The fake's clock (jobs advance and expire on it). */
  now?: () => number;
  /** How long RunComfy keeps a request (404001 afterwards): 7 days. */
  requestTtlMs?: number;
  /** Added to every answer. */
  latencyMs?: number;
  /** Fetch http(s) image URLs (loopback only) and decode data: URIs, recording each one's sha256. */
  fetchImages?: boolean;
  /** What happens when an image cannot be fetched: a 422 at submit, or a job that fails. */
  imageFetchFailure?: 'reject' | 'fail-job';
  /** Refuse data: URIs with a 422 naming the field, as a server that wants URLs would. */
  refuseDataUris?: boolean;
  /** Largest accepted request body (413 beyond). */
  maxBodyBytes?: number;
  /** How long a result URL stays valid. */
  resultUrlTtlMs?: number;
  video?: Buffer;
  /** Each submitted job's own video, in turn (the n-th job gets `videos[n % length]`), over `video`. */
  videos?: Buffer[];
}

export interface ReceivedImage {
  field: 'start_image_url' | 'end_image_url';
  via: 'data' | 'url';
  sha256: string;
  bytes: number;
  contentType?: string;
}

export interface Submission {
  requestId: string;
  body: Record<string, unknown>;
  images: ReceivedImage[];
}

export interface RequestRecord {
  endpoint: Endpoint;
  method: string;
  path: string;
  authorized: boolean;
  status: number | 'dropped';
  at: number;
  range?: string;
}

interface Job {
  id: string;
  /** The token that made it: another account's token gets 403001. */
  owner: string;
  plan: JobPlan;
  createdAt: number;
  advanced: number;
  cancelled: boolean;
  gone: boolean;
  sig: string;
  failure?: string;
  video?: Buffer;
}

type Step = { status: string; queue_position?: number };

const DEFAULT_PLAN: JobPlan = {
  intake: [],
  queuePositions: 2,
  warmup: ['starting'],
  stepMs: 50,
  progressMs: 100,
  outcome: { completed: true },
};
const WEEK_MS = 7 * 24 * 3600_000;
/** States in which cancel still works (the job has not started). */
const CANCELLABLE = new Set(['pending', 'in_queue', 'cancelled']);

export class FakeRunComfy {
  readonly tokens: Set<string>;
  readonly requests: RequestRecord[] = [];
  readonly submissions: Submission[] = [];
  /** The plan of every new job; set it partly, the rest stays as the defaults. */
  get plan(): JobPlan {
    return this.#plan;
  }
  set plan(plan: Partial<JobPlan>) {
    this.#plan = { ...DEFAULT_PLAN, ...plan };
  }
  #plan: JobPlan = DEFAULT_PLAN;
  /** The model's price and the jobs' costs (pricing.ts). */
  readonly pricing = new FakePricing();
  url = '';
  #options: FakeOptions;
  #jobs = new Map<string, Job>();
  #nextPlans: Partial<JobPlan>[] = [];
  #rules: { endpoint: Endpoint | '*'; behaviour: Behaviour; times: number }[] = [];
  #expired: 403 | 404 | undefined;
  #video: Buffer;
  #now: () => number;
  #server = createServer((request, response) => void this.#handle(request, response));

  constructor(options: FakeOptions = {}) {
    this.#options = options;
    this.tokens = new Set(options.tokens ?? ['fake-token-0000']);
    this.plan = options.plan ?? {};
    this.#video = options.video ?? readFileSync(FIXTURE_VIDEO);
    this.#now = () => (this.#options.now ?? Date.now)();
  }

  async start(): Promise<this> {
    await new Promise<void>((ready) => this.#server.listen(this.#options.port ?? 0, '127.0.0.1', ready));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  /** Changes options of a running fake (e.g. turn on `fetchImages` for one test). */
  configure(options: Partial<Omit<FakeOptions, 'port' | 'tokens' | 'video'>>): this {
    Object.assign(this.#options, options);
    return this;
  }

  /** The next `times` requests to `endpoint` ('*': any) behave this way. Rules apply in order. */
  script(endpoint: Endpoint | '*', behaviour: Behaviour, times = 1): this {
    this.#rules.push({ endpoint, behaviour, times });
    return this;
  }

  /** The next submitted job follows this plan (then the default again). */
  nextJob(plan: Partial<JobPlan>): this {
    this.#nextPlans.push(plan);
    return this;
  }

  /** Scripted behaviours not yet used up. */
  get pendingRules(): number {
    return this.#rules.reduce((sum, rule) => sum + rule.times, 0);
  }

  /** Requests received by an endpoint (every one, refused or not). */
  count(endpoint: Endpoint): number {
    return this.requests.filter((request) => request.endpoint === endpoint).length;
  }

  /** Moves a held job (or every job) one step on. */
  advance(requestId?: string, steps = 1): void {
    for (const job of requestId ? [this.#job(requestId)] : this.#jobs.values()) job.advanced += steps;
  }

  /** Every result URL handed out so far answers 403 (expired signature) or 404 from now on. */
  expireResultUrls(status: 403 | 404 = 403): void {
    this.#expired = status;
  }

  /** RunComfy forgets this request (or every one): 404001 from now on, as after its 7 days. */
  expireRequest(requestId?: string): void {
    for (const job of requestId ? [this.#job(requestId)] : this.#jobs.values()) job.gone = true;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** The state a job is in now, as the status endpoint would say. */
  stateOf(requestId: string): string {
    const job = this.#job(requestId);
    return job.cancelled ? 'cancelled' : this.#step(job).status;
  }

  get jobIds(): string[] {
    return [...this.#jobs.keys()];
  }

  #job(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new Error(`the fake has no job ${id}`);
    return job;
  }

  #steps(job: Job): { step: Step; ms: number }[] {
    const steps: { step: Step; ms: number }[] = [];
    for (const status of job.plan.intake) steps.push({ step: { status }, ms: job.plan.stepMs });
    for (let position = job.plan.queuePositions; position >= 1; position--) {
      steps.push({ step: { status: 'in_queue', queue_position: position }, ms: job.plan.stepMs });
    }
    for (const status of job.plan.warmup) steps.push({ step: { status }, ms: job.plan.stepMs });
    steps.push({ step: { status: 'in_progress' }, ms: job.plan.progressMs });
    const failed = (job.failure || 'failed' in job.plan.outcome) && !job.plan.resultSays;
    steps.push({ step: { status: failed ? 'failed' : 'completed' }, ms: Infinity });
    return steps;
  }

  #step(job: Job): Step {
    const steps = this.#steps(job);
    let elapsed = this.#now() - job.createdAt;
    let index = 0;
    while (index < steps.length - 1 && elapsed >= steps[index].ms) {
      elapsed -= steps[index].ms;
      index++;
    }
    return steps[Math.min(steps.length - 1, index + job.advanced)].step;
  }

  /** What /status says: the state only; a failure's reason is in /result (API.md, Result). */
  #statusBody(job: Job): Record<string, unknown> {
    const base = { request_id: job.id, status_url: this.#jobUrl(job.id, 'status'), result_url: this.#jobUrl(job.id, 'result') };
    if (job.cancelled) return { ...base, status: 'cancelled' };
    return { ...base, ...this.#step(job) };
  }

  #resultBody(job: Job, includeCost: boolean): Record<string, unknown> {
    const status = this.#statusBody(job);
    const times = { created_at: new Date(job.createdAt).toISOString(), model_id: FAKE_MODEL_ID };
    const says = status['status'] === 'completed' ? (job.plan.resultSays ?? 'completed') : status['status'];
    if (says === 'failed') {
      const plan = job.plan.outcome;
      const error = job.failure ?? ('failed' in plan ? plan.failed : { message: 'The job failed.', code: 'internal_error' });
      return { request_id: job.id, status: 'failed', error, ...times };
    }
    if (says === 'cancelled') return { request_id: job.id, status: 'cancelled', ...times };
    if (says !== 'completed') return status;
    return {
      request_id: job.id,
      status: 'completed',
      output: { video: this.#videoUrl(job) },
      ...times,
      finished_at: new Date(this.#now()).toISOString(),
      ...(includeCost ? this.pricing.costFields(this.#durationOf(job)) : {}),
    };
  }

  #durationOf(job: Job): number {
    return Number(this.submissions.find((submission) => submission.requestId === job.id)?.body['duration'] ?? 5);
  }

  #jobUrl(id: string, verb: string): string {
    return `${this.url}/v1/requests/${id}/${verb}`;
  }

  #videoUrl(job: Job): string {
    const expires = this.#now() + (this.#options.resultUrlTtlMs ?? 24 * 3600_000);
    return `${this.url}/files/${job.id}/output.mp4?expires=${expires}&sig=${job.sig}`;
  }

  #takeRule(endpoint: Endpoint): Behaviour | undefined {
    const index = this.#rules.findIndex((rule) => rule.endpoint === endpoint || rule.endpoint === '*');
    if (index < 0) return undefined;
    const rule = this.#rules[index];
    if (--rule.times <= 0) this.#rules.splice(index, 1);
    return rule.behaviour;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const endpoint = route(url.pathname, request.method);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const authorized = this.tokens.has(token);
    const record: RequestRecord = {
      endpoint,
      method: request.method ?? 'GET',
      path: url.pathname,
      authorized,
      status: 'dropped',
      at: this.#now(),
      ...(request.headers.range ? { range: request.headers.range } : {}),
    };
    this.requests.push(record);
    const body = await readBody(request, this.#options.maxBodyBytes ?? 30 * 1024 * 1024);
    const behaviour = this.#takeRule(endpoint);
    const latency = (this.#options.latencyMs ?? 0) + (behaviour && 'delayMs' in behaviour ? behaviour.delayMs : 0);
    if (latency) await new Promise((resume) => setTimeout(resume, latency));
    if (behaviour && 'holdUntil' in behaviour) await behaviour.holdUntil.catch(() => undefined);
    if (response.destroyed || request.socket.destroyed) return;

    if (behaviour && 'drop' in behaviour && behaviour.drop === 'on-arrival') {
      request.socket.destroy();
      return;
    }
    if (behaviour && 'respond' in behaviour) {
      record.status = behaviour.respond;
      return sendJson(response, behaviour.respond, behaviour.body ?? { detail: `Scripted ${behaviour.respond}` }, behaviour.headers);
    }
    if (behaviour && 'gateway' in behaviour && !behaviour.handled) return this.#sendGatewayPage(response, record, behaviour.gateway);
    const drop = behaviour && 'drop' in behaviour ? behaviour.drop : behaviour && 'stall' in behaviour ? 'stall' : undefined;
    const answer =
      endpoint === 'video' ? this.#serveVideo(url, request) : await this.#api(endpoint, url, request.method ?? 'GET', token, body);
    if (behaviour && 'gateway' in behaviour) return this.#sendGatewayPage(response, record, behaviour.gateway);
    if (drop === 'after-handling') {
      request.socket.destroy();
      return;
    }
    record.status = answer.status;
    const payload = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(JSON.stringify(answer.body));
    const headers = {
      'content-type': Buffer.isBuffer(answer.body) ? 'video/mp4' : 'application/json',
      'content-length': String(payload.length),
      ...answer.headers,
    };
    if (request.method === 'HEAD') {
      response.writeHead(answer.status, headers).end();
      return;
    }
    if (drop === 'mid-body' || drop === 'stall') {
      response.writeHead(answer.status, headers);
      const half = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)));
      response.write(half, () => drop === 'mid-body' && request.socket.destroy());
      return;
    }
    response.writeHead(answer.status, headers).end(payload);
  }

  #sendGatewayPage(response: ServerResponse, record: RequestRecord, status: number): void {
    record.status = status;
    const page = `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`;
    response.writeHead(status, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(page)) }).end(page);
  }

  async #api(endpoint: Endpoint, url: URL, method: string, token: string, raw: Buffer | 'too-large'): Promise<Answer> {
    if (endpoint === 'other') return json(404, { detail: 'Not Found' });
    // Authentication comes first: an unknown id with a wrong token is a 401, not a 404.
    if (!this.tokens.has(token)) return apiError(this.#options.unauthorizedStatus ?? 401, 400004, 'Invalid or expired API token.');
    const expected = endpoint === 'status' || endpoint === 'result' || endpoint === 'price' ? 'GET' : 'POST';
    if (method !== expected) return json(405, { detail: 'Method Not Allowed' });
    if (endpoint === 'price') return json(200, this.pricing.model);
    if (endpoint === 'submit') return this.#submit(raw, token);

    const id = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    const job = this.#jobs.get(id);
    if (!job || job.gone || this.#now() - job.createdAt > (this.#options.requestTtlMs ?? WEEK_MS)) {
      return apiError(404, 404001, `Request ${id} not found or expired.`);
    }
    if (job.owner !== token) return apiError(403, 403001, 'This request belongs to another account.');
    if (endpoint === 'status') return json(200, this.#statusBody(job));
    if (endpoint === 'result') return json(200, this.#resultBody(job, url.searchParams.get('include_cost') === 'true'));
    // cancel (RunComfy's CLI: 200 with an outcome either way)
    const state = job.cancelled ? 'cancelled' : this.#step(job).status;
    if (CANCELLABLE.has(state)) {
      job.cancelled = true;
      return json(200, { request_id: job.id, status: 'cancelled', outcome: 'cancelled' });
    }
    return json(200, { request_id: job.id, status: state, outcome: 'not_cancellable' });
  }

  async #submit(raw: Buffer | 'too-large', owner: string): Promise<Answer> {
    if (raw === 'too-large') return json(413, { detail: 'Request body is too large.' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return json(400, { detail: 'The request body is not valid JSON.' });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return json(422, { detail: [{ loc: ['body'], msg: 'Input should be an object', type: 'model_type' }] });
    const input = body as Record<string, unknown>;
    const problems = this.#validate(input);
    if (problems.length) return json(422, { detail: problems });
    const oversized = inlineImageOverCap(input);
    if (oversized) return json(400, { error_code: INLINE_TOO_LARGE_CODE, error_message: oversized });

    if (this.#options.lowBalance) return apiError(402, 400002, 'Insufficient balance. Please top up your account to continue.');

    const id = randomUUID();
    const plan = { ...this.plan, ...this.#nextPlans.shift(), ...this.#options.planFor?.(input) };
    const job: Job = {
      id,
      owner,
      plan,
      createdAt: this.#now(),
      advanced: 0,
      cancelled: false,
      gone: false,
      sig: randomBytes(12).toString('hex'),
      video: this.#options.videos?.[this.#jobs.size % this.#options.videos.length],
    };
    const submission: Submission = { requestId: id, body: input, images: [] };
    if (this.#options.fetchImages) {
      for (const field of ['start_image_url', 'end_image_url'] as const) {
        const got = await receiveImage(field, String(input[field]));
        if ('error' in got) {
          if ((this.#options.imageFetchFailure ?? 'reject') === 'reject') {
            return json(422, { detail: [{ loc: ['body', field], msg: got.error, type: 'value_error' }] });
          }
          job.failure ??= `Failed to download ${field}: ${got.error}`;
        } else submission.images.push(got);
      }
    }
    this.#jobs.set(id, job);
    this.submissions.push(submission);
    return json(200, {
      request_id: id,
      status_url: this.#jobUrl(id, 'status'),
      result_url: this.#jobUrl(id, 'result'),
      cancel_url: this.#jobUrl(id, 'cancel'),
    });
  }

  /** The model's input rules (API.md), as FastAPI-style `detail` entries. */
  #validate(input: Record<string, unknown>): { loc: string[]; msg: string; type: string }[] {
    const problems: { loc: string[]; msg: string; type: string }[] = [];
    const add = (field: string, msg: string, type = 'value_error') => problems.push({ loc: ['body', field], msg, type });
    if (!('prompt' in input)) add('prompt', 'Field required', 'missing');
    else if (typeof input['prompt'] !== 'string') add('prompt', 'Input should be a valid string', 'string_type');
    else if (!input['prompt'].trim()) add('prompt', 'Prompt must not be empty');
    for (const field of ['start_image_url', 'end_image_url']) {
      const value = input[field];
      if (!(field in input)) add(field, 'Field required', 'missing');
      else if (typeof value !== 'string') add(field, 'Input should be a valid string', 'string_type');
      else if (value.startsWith('data:')) {
        if (this.#options.refuseDataUris) add(field, 'Data URIs are not supported; give a publicly reachable https URL.');
        else if (!/^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+$/i.test(value)) add(field, 'Input should be a base64 image data URI');
      } else if (!/^https?:\/\/[^\s/]+/i.test(value)) add(field, 'Input should be a valid URL, an http(s) address');
    }
    if ('duration' in input && input['duration'] !== 5 && input['duration'] !== 10) add('duration', 'Input should be 5 or 10', 'enum');
    return problems;
  }

  #serveVideo(url: URL, request: IncomingMessage): Answer {
    const [, , id] = url.pathname.split('/');
    const job = this.#jobs.get(id);
    const expires = Number(url.searchParams.get('expires'));
    if (this.#expired === 404) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
    if (!job || url.searchParams.get('sig') !== job.sig) return xml(403, 'SignatureDoesNotMatch', 'The request signature is not valid.');
    if (this.#expired === 403 || !(expires > this.#now())) return xml(403, 'AccessDenied', 'Request has expired');
    const video = job.video ?? this.#video;
    const size = video.length;
    const headers = { 'accept-ranges': 'bytes', 'content-type': 'video/mp4' };
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) return { status: 416, body: Buffer.alloc(0), headers: { 'content-range': `bytes */${size}` } };
      return {
        status: 206,
        body: video.subarray(start, end + 1),
        headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
      };
    }
    return { status: 200, body: video, headers };
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown): Answer => ({ status, body });
/** An error in RunComfy's shape (API.md, Errors). */
const apiError = (status: number, code: number, message: string): Answer => json(status, { error_code: code, error_message: message });
const xml = (status: number, code: string, message: string): Answer => ({
  status,
  body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`),
  headers: { 'content-type': 'application/xml' },
});

function route(path: string, method?: string): Endpoint {
  if (path === FAKE_MODEL_PATH) return method === 'GET' ? 'price' : 'submit';
  if (/^\/files\/[^/]+\/output\.mp4$/.test(path)) return 'video';
  const match = /^\/v1\/requests\/[^/]+\/(status|result|cancel)$/.exec(path);
  return match ? (match[1] as Endpoint) : 'other';
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers });
  response.end(payload);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', () => resolve(Buffer.alloc(0)));
  });
}

/**
 * RunComfy's own nodes refuse an inline image over 6 MiB of decoded bytes "to fit the Model API
 * request limit" (API.md, File inputs); the fake answers such a request with an error body.
 * The code is assumed: RunComfy documents no error_code for it.
 */
const INLINE_IMAGE_LIMIT = 6 * 1024 * 1024;
export const INLINE_TOO_LARGE_CODE = 400001;

function inlineImageOverCap(input: Record<string, unknown>): string | undefined {
  for (const field of ['start_image_url', 'end_image_url']) {
    const value = input[field];
    if (typeof value !== 'string' || !value.startsWith('data:')) continue;
    const bytes = Buffer.byteLength(value.slice(value.indexOf(',') + 1), 'base64');
    if (bytes > INLINE_IMAGE_LIMIT)
      return `${field}: the inline image is ${bytes} bytes; the limit is ${INLINE_IMAGE_LIMIT} bytes per image.`;
  }
  return undefined;
}

async function receiveImage(field: ReceivedImage['field'], value: string): Promise<ReceivedImage | { error: string }> {
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  if (value.startsWith('data:')) {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(value);
    if (!match) return { error: 'The data URI is not base64.' };
    const bytes = Buffer.from(match[2], 'base64');
    return { field, via: 'data', sha256: sha256(bytes), bytes: bytes.length, contentType: match[1] };
  }
  const url = new URL(value);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return { error: 'The fake API fetches images from this computer only.' };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { error: `Could not download the image (HTTP ${response.status}).` };
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      field,
      via: 'url',
      sha256: sha256(bytes),
      bytes: bytes.length,
      contentType: response.headers.get('content-type') ?? undefined,
    };
  } catch {
    return { error: 'Could not download the image (no answer).' };
  }
}

export async function startFakeRunComfy(options: FakeOptions = {}): Promise<FakeRunComfy> {
  return new FakeRunComfy(options).start();
}
