/**
 * RunComfy's Model API (API.md): submit, status, result, cancel and the model's description as
 * typed functions. Used by the app's services, the job runner and the headless CLI alike; it
 * imports no Electron.
 *
 * The rooms: address.ts (where requests go, and where the token may go), transport.ts (one request
 * with its timeout and retries), answers.ts (what an answer means: success, refusal, "maybe
 * submitted", the state words), errors.ts (the messages). Only a 4xx with an error body (or a 200
 * with an `error_code`) is a refusal of a submit; a 5xx, an HTML page, a broken connection or an
 * unreadable answer is "maybe submitted" (`details.mayHaveSubmitted`). A refused token (400004, or
 * 401/403 without another code) tells `onUnauthorized`, so the app can ask for a new token; a
 * 403001 (another account's job) does not.
 */
import { AppError } from '../../contract';
import type { JobCost } from '../../contract';
import { apiRoot, endpointOf, modelPath, pickUrl, requestPath } from './address';
import { isRefusal, parseAnswer, serverText, stateOf, toStatus } from './answers';
import type { JobState, JobStatus } from './answers';
import { notUnderstood } from './errors';
import { costFrom } from './price';
import { CancelResponse, ResultResponse, StatusResponse, SubmitResponse } from './schemas';
import { createTransport } from './transport';
import type { CallOptions, Request, TransportOptions } from './transport';

export { DEFAULT_BASE_URL, describeBaseUrl, isLoopback, resolveBaseUrl } from './address';
export type { ApiAddress } from './address';
export type { JobState, JobStatus } from './answers';
export { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from './transport';
export type { CallOptions, RetryPolicy } from './transport';

export interface SubmitInput {
  prompt: string;
  start_image_url: string;
  end_image_url: string;
  duration?: 5 | 10;
}

export interface SubmittedJob {
  requestId: string;
  statusUrl: string;
  resultUrl: string;
  cancelUrl: string;
}

/** A job by its id, optionally with the URLs submit returned (preferred when on the API's origin). */
export type JobRef = string | { requestId: string; statusUrl?: string; resultUrl?: string; cancelUrl?: string };

export type JobResult =
  { requestId: string; state: 'completed'; videoUrls: string[]; cost?: JobCost } | (JobStatus & { state: Exclude<JobState, 'completed'> });

export interface CancelOutcome {
  /** False when RunComfy did not cancel (the job is already being made, or done); `message` is the server's text. */
  cancelled: boolean;
  /** The job's status as the cancel answer gave it, if it did. */
  status?: string;
  message?: string;
}

export interface RunComfyClientOptions extends TransportOptions {
  baseUrl: string | (() => string);
}

export interface RunComfyClient {
  submit(input: SubmitInput, options?: CallOptions): Promise<SubmittedJob>;
  status(job: JobRef, options?: CallOptions): Promise<JobStatus>;
  result(job: JobRef, options?: CallOptions): Promise<JobResult>;
  cancel(job: JobRef, options?: CallOptions): Promise<CancelOutcome>;
  /** The model's description as RunComfy sends it (`GET /v1/models/{model}`); price.ts reads the price from it. */
  model(options?: CallOptions): Promise<unknown>;
  /** The API origin in use, for messages. */
  baseUrl(): string;
}

export function createRunComfyClient(options: RunComfyClientOptions): RunComfyClient {
  const send = createTransport(options);
  const readBase = typeof options.baseUrl === 'function' ? options.baseUrl : () => options.baseUrl as string;
  const endpoint = (path: string) => endpointOf(apiRoot(readBase()), path);

  function jobRequest(job: JobRef, verb: 'status' | 'result' | 'cancel'): Request & { requestId: string } {
    const ref = typeof job === 'string' ? { requestId: job } : job;
    if (!ref.requestId || ref.requestId.length > 200) throw new AppError('invalid_input', 'That is not a RunComfy request id.');
    const given = verb === 'status' ? ref.statusUrl : verb === 'result' ? ref.resultUrl : ref.cancelUrl;
    return {
      operation: verb,
      method: verb === 'cancel' ? 'POST' : 'GET',
      url: pickUrl(given, endpoint(requestPath(ref.requestId, verb))),
      requestId: ref.requestId,
    };
  }

  return {
    baseUrl: () => apiRoot(readBase()).origin,

    async submit(input, call) {
      const request: Request = { operation: 'submit', method: 'POST', url: endpoint(modelPath), body: input };
      const answer = parseAnswer(SubmitResponse, await send(request, call), 'submit');
      const id = answer.request_id;
      return {
        requestId: id,
        statusUrl: pickUrl(answer.status_url, endpoint(requestPath(id, 'status'))).href,
        resultUrl: pickUrl(answer.result_url, endpoint(requestPath(id, 'result'))).href,
        cancelUrl: pickUrl(answer.cancel_url, endpoint(requestPath(id, 'cancel'))).href,
      };
    },

    async status(job, call) {
      const request = jobRequest(job, 'status');
      return toStatus(request.requestId, parseAnswer(StatusResponse, await send(request, call), 'status'));
    },

    async result(job, call) {
      const request = jobRequest(job, 'result');
      request.url.searchParams.set('include_cost', 'true');
      const raw = await send(request, call);
      const answer = parseAnswer(ResultResponse, raw, 'result');
      const status = answer.status ? toStatus(request.requestId, { ...answer, status: answer.status }) : undefined;
      const videos = [answer.output?.video, ...(answer.output?.videos ?? [])].filter((url): url is string => !!url);
      // A result that says failed or cancelled wins over any output it may also carry.
      if (status && (status.state === 'failed' || status.state === 'cancelled')) return status as JobResult;
      if (videos.length) {
        const cost = costFrom(raw.body);
        return { requestId: request.requestId, state: 'completed', videoUrls: [...new Set(videos)], ...(cost ? { cost } : {}) };
      }
      if (!status) throw notUnderstood('result', 'it has neither an output nor a status');
      if (status.state === 'completed') throw notUnderstood('result', 'the job is completed but no video address was given');
      return status as JobResult;
    },

    async model(call) {
      return (await send({ operation: 'model', method: 'GET', url: endpoint(modelPath) }, call)).body;
    },

    async cancel(job, call) {
      const request = jobRequest(job, 'cancel');
      const answer = await send(request, call);
      const body = parseAnswer(
        CancelResponse,
        { ...answer, body: answer.body && typeof answer.body === 'object' ? answer.body : {} },
        'cancel',
      );
      const said = body.outcome?.toLowerCase();
      const cancelled = !isRefusal(answer.status) && (said === 'cancelled' || said === 'canceled' || stateOf(body.status) === 'cancelled');
      const message = serverText(body) ?? (typeof answer.body === 'string' ? answer.body.slice(0, 300) : undefined);
      return {
        cancelled,
        ...(body.status ? { status: body.status } : {}),
        ...(message && !cancelled ? { message } : {}),
      };
    },
  };
}
