/** The jobs as the app sees them: a submit request from the Create form becomes a runner job. */
import { AppError } from '../../contract';
import type { InlinePlan, QueueItem, SubmitJobRequest } from '../../contract';
import type { EventBus } from '../events';
import type { FrameService } from '../frames/service';
import type { HostingService } from '../hosting';
import type { LibraryStore } from '../library/store';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { RunComfyClient } from '../runcomfy/client';
import { readyFrame } from './ready-frame';
import { JobRunner } from './runner';
import type { RunnerOptions } from './runner';

/** The runner's timing can be tuned (tests make it fast); the defaults are the app's. */
export interface JobsServiceOptions extends Partial<Pick<RunnerOptions, 'schedule' | 'downloadRetryMs' | 'offlineProbeMs' | 'download'>> {
  frames: FrameService;
  store: LibraryStore;
  client: RunComfyClient;
  hosting: HostingService;
  events: EventBus;
  log: Logger;
  platform?: Platform;
}

export class JobsService {
  readonly runner: JobRunner;
  #stopListening: () => void;

  constructor(private readonly options: JobsServiceOptions) {
    this.runner = new JobRunner({ ...options });
    // A new token may end a pause caused by a refused one.
    this.#stopListening = options.events.listen((name, payload) => {
      if (name === 'token:changed' && (payload as { state?: string }).state === 'set') this.runner.resume();
    });
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  async stop(): Promise<void> {
    this.#stopListening();
    await this.runner.stop();
  }

  /** How a picked frame will travel if sent now; a frame that cannot be sent yet has nothing to say. */
  async inlinePlan(frameId: string): Promise<InlinePlan> {
    try {
      return await this.options.hosting.inlinePlan(await readyFrame(this.options.frames, frameId, 'start'));
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_input') return { kind: 'not-inline' };
      throw error;
    }
  }

  async submit(request: SubmitJobRequest): Promise<QueueItem> {
    const [start, end] = await Promise.all([
      readyFrame(this.options.frames, request.startFrameId, 'start'),
      readyFrame(this.options.frames, request.endFrameId, 'end'),
    ]);
    return this.runner.submit({ prompt: request.prompt, duration: request.duration, start, end }, (progress) =>
      this.options.events.emit('jobs:submitProgress', progress),
    );
  }
}
