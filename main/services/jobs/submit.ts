/**
 * Submitting a job, exactly once. Each frame is read and checked against its pick-time sha256
 * once, made reachable (hosting), and only then is the job written to the library, in one write
 * (status `submitting`, the exact bytes sent, how each frame travels). Then the request leaves.
 * A hosting problem therefore leaves no job behind. If it is not known whether RunComfy got the
 * request (a 5xx, a cut connection, Keyframe stopping meanwhile), the job becomes `submit_unknown`
 * and only the user decides whether it is sent again (`decide`).
 */
import { AppError } from '../../contract';
import type { SubmitProgress, UnknownDecision } from '../../contract';
import { acceptedFormatOf } from '../../contract/model';
import type { FrameToHost, HostedFrame, HostOptions } from '../hosting';
import { inlineRefusal, readVerified } from '../hosting';
import type { JobTag } from '../library/manifest';
import type { NewFrame } from '../library/store';
import type { Follower } from './follow';
import type { RoomParts } from './recorder';

/** A picked, checked frame as the runner needs it. */
export interface ReadyFrame extends FrameToHost {
  ext: NewFrame['ext'];
}

export interface JobRequest {
  prompt: string;
  duration: 5 | 10;
  start: ReadyFrame;
  end: ReadyFrame;
  /** A storyboard's take: recorded with the job, in the same write. */
  tag?: JobTag;
}

export interface FrameHosting {
  host(frame: FrameToHost, options?: HostOptions): Promise<HostedFrame>;
}

export interface SubmitParts extends RoomParts {
  hosting: FrameHosting;
  follower: Follower;
}

export const STOPPED_WHILE_SENDING = 'Keyframe stopped while sending this job, so it is not known whether RunComfy received it.';

export class Submitter {
  constructor(private readonly o: SubmitParts) {}

  /** Hosts both frames, records the job, then sends it once; returns the job's id. */
  async submit(request: JobRequest, onProgress: (progress: SubmitProgress) => void): Promise<string> {
    const frames = [request.start, request.end];
    const hosted: HostedFrame[] = [];
    const checked: Buffer[] = [];
    const totalBytes = frames.reduce((sum, frame) => sum + frame.bytes, 0) || 1;
    let doneBytes = 0;
    for (const [index, frame] of frames.entries()) {
      const role = index === 0 ? 'start' : 'end';
      onProgress({ phase: 'uploading', fraction: (0.9 * doneBytes) / totalBytes, message: `Preparing the ${role} frame…` });
      // The one read and hash of this frame: the host sends these bytes and the library keeps them.
      checked.push(await readVerified(frame));
      hosted.push(
        await this.o.hosting.host(
          { ...frame, data: checked[index] },
          {
            signal: this.o.signal,
            onProgress: ({ sentBytes }) =>
              onProgress({
                phase: 'uploading',
                fraction: (0.9 * (doneBytes + sentBytes)) / totalBytes,
                message: `Uploading the ${role} frame…`,
              }),
          },
        ),
      );
      doneBytes += frame.bytes;
    }

    // The library keeps exactly the bytes that were sent: the checked file, or the copy re-encoded to fit inline.
    const record = await this.o.store.createJob({
      prompt: request.prompt,
      duration: request.duration,
      frames: frames.map((frame, index): NewFrame => {
        const { sent, host, url } = hosted[index];
        return {
          role: index === 0 ? 'start' : 'end',
          bytes: sent?.bytes ?? checked[index],
          ...(sent ? {} : { sha256: frame.sha256.toLowerCase() }),
          ext: sent?.ext ?? frame.ext,
          originalName: frame.name,
          sentAs: { host, url, ...(sent ? { reencodedFrom: { bytes: sent.fromBytes, ext: frame.ext } } : {}) },
        };
      }),
      ...(request.tag ? { tag: request.tag } : {}),
    });
    this.o.recorder.changed(record.id);

    onProgress({ phase: 'sending', fraction: 0.95, message: 'Sending the job to RunComfy…' });
    await this.#send(record.id, request.prompt, request.duration, hosted);
    return record.id;
  }

  /** For a job whose submission outcome is unknown: send it again (the user chose to), or give it up. */
  async decide(id: string, decision: UnknownDecision): Promise<void> {
    const { store } = this.o;
    const record = store.require(id);
    if (record.status !== 'submit_unknown')
      throw new AppError('invalid_input', `Job ${id} is ${record.status}; there is nothing to decide.`);
    if (decision === 'abandon') {
      await store.recordStatus(id, 'cancelled', { note: 'given up: it was unknown whether RunComfy had received it' });
      this.o.recorder.changed(id);
      return;
    }
    const hosted: HostedFrame[] = [];
    for (const role of ['start', 'end'] as const) {
      const file = record.files.find((f) => f.kind === 'frame' && f.role === role);
      const format = file && acceptedFormatOf(file.name);
      if (!file?.sha256 || !format) throw new AppError('not_found', `Job ${id} has lost its ${role} frame; it cannot be sent again.`);
      hosted.push(
        await this.o.hosting.host({
          path: store.fileOf(id, file.name),
          sha256: file.sha256,
          mime: `image/${format}`,
          bytes: file.bytes,
          name: file.originalName ?? file.name,
        }),
      );
    }
    await store.recordStatus(id, 'submitting', { note: 'sent again by the user' });
    await this.#send(id, record.prompt, record.duration, hosted);
  }

  /** Sends a recorded job exactly once and records what happened. */
  async #send(id: string, prompt: string, duration: 5 | 10, hosted: HostedFrame[]): Promise<void> {
    const { store, recorder, signal } = this.o;
    if (signal.aborted) {
      await recorder.write(id, () =>
        store.recordStatus(id, 'failed', { error: 'Keyframe stopped before sending this job; nothing was sent. Submit it again.' }),
      );
      throw new AppError('aborted', 'Keyframe stopped before the job was sent.');
    }
    let requestId: string;
    try {
      const submitted = await this.o.client.submit(
        { prompt, start_image_url: hosted[0].url, end_image_url: hosted[1].url, duration },
        { signal },
      );
      requestId = submitted.requestId;
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('internal', 'The job could not be sent.', { cause: error });
      const refused = inlineRefusal(appError, hosted);
      await recorder.write(id, () =>
        appError.details?.['mayHaveSubmitted']
          ? store.markSubmitUnknown(id, appError.message)
          : appError.code === 'aborted'
            ? // Stopped (the app quitting) while the request was on its way: RunComfy may have it.
              store.markSubmitUnknown(id, STOPPED_WHILE_SENDING)
            : store.recordStatus(id, 'failed', { error: (refused ?? appError).message, note: 'not accepted by RunComfy' }),
      );
      throw refused ?? appError;
    }
    // RunComfy has the job now: its request id must reach the library, however long that takes.
    this.o.log.info('jobs', `${id} was accepted by RunComfy as request ${requestId}`);
    await recorder.write(id, async () => {
      await store.recordSubmitted(id, requestId);
      this.o.follower.follow(id);
    });
  }
}
