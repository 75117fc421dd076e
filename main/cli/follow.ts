/**
 * Following jobs from a terminal: progress on stderr until each job is settled (finished with its
 * video on disk, failed, cancelled, waiting for the user's decision, or given up on), and the one
 * JSON line the CLI prints per job.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobStatus, QueueItem, RunnerState } from '../contract';
import { formatBytes, statusWord } from '../contract/format';
import type { EventBus } from '../services/events';
import type { LibraryStore } from '../services/library/store';
import type { Progress } from './progress';

export interface JobLine {
  jobId: string | null;
  requestId: string | null;
  /** `not_sent`: stopped before a job was written (a frame failed its checks, no token…). */
  status: JobStatus | 'not_sent';
  createdAt: string | null;
  duration: 5 | 10 | null;
  prompt: string | null;
  /** Absolute paths of the complete videos on disk. */
  videos: string[];
  error: string | null;
  /** What RunComfy reported the job cost in dollars; present only when it reported an amount. */
  cost_usd?: number;
}

/** Failed downloads (each already several attempts) before the CLI stops waiting for a video. */
export const DOWNLOAD_TRIES = 3;

export const DECIDE_HINT =
  'Check your RunComfy dashboard, then decide in the app’s queue, or run `npm run jobs -- resume --resubmit-unknown` ' +
  '(sends it again; if RunComfy had it, you pay twice) or `--abandon-unknown`.';

export function notSent(error: string): JobLine {
  return { jobId: null, requestId: null, status: 'not_sent', createdAt: null, duration: null, prompt: null, videos: [], error };
}

export function jobLine(store: LibraryStore, id: string, error?: string): JobLine {
  const record = store.get(id);
  if (!record) return { ...notSent(error ?? 'The job is no longer in the library.'), jobId: id };
  const videos = record.files
    .filter((file) => file.kind === 'video' && file.complete)
    .map((file) => join(store.folderOf(id), file.name))
    .filter((path) => existsSync(path));
  const unknown = record.status === 'submit_unknown' ? `${record.history.at(-1)?.note ?? ''} ${DECIDE_HINT}`.trim() : undefined;
  return {
    jobId: id,
    requestId: record.requestId ?? null,
    status: record.status,
    createdAt: record.createdAt,
    duration: record.duration,
    prompt: record.prompt,
    videos,
    error: error ?? record.error ?? unknown ?? null,
    ...(record.cost?.usd !== undefined ? { cost_usd: record.cost.usd } : {}),
  };
}

/** Done as the CLI's exit code means it: completed, and its video is on disk. */
export const isDone = (line: JobLine) => line.status === 'completed' && line.videos.length > 0;

export interface FollowOptions {
  events: EventBus;
  store: LibraryStore;
  progress: Progress;
  /** Put before each progress line, e.g. "job <id>: " when following several. */
  label: (id: string) => string;
  signal?: AbortSignal;
}

interface Seen {
  status?: JobStatus;
  /** RunComfy's own word for a state Keyframe has no name for. */
  remote?: string;
  position?: number;
  startedAt?: number;
  retrying: boolean;
  failures: number;
}

/**
 * Resolves once every job is settled (or the signal fires), with an error text for each job that
 * was given up on: a download that kept failing, or a token RunComfy refused.
 */
export function follow(ids: string[], options: FollowOptions): Promise<Map<string, string>> {
  const { events, store, progress, label } = options;
  const open = new Set(ids);
  const errors = new Map<string, string>();
  const seen = new Map<string, Seen>();
  let paused: RunnerState['paused'];

  return new Promise((resolve) => {
    if (open.size === 0) return resolve(errors);
    const finish = () => {
      stopListening();
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', finish);
      progress.done();
      resolve(errors);
    };
    const settle = (id: string, error?: string) => {
      if (!open.delete(id)) return;
      if (error) {
        errors.set(id, error);
        progress.note(`${label(id)}${error}`);
      }
      if (open.size === 0) finish();
    };

    const check = (id: string, item?: QueueItem) => {
      if (!open.has(id)) return;
      const record = store.get(id);
      if (!record) return settle(id, 'The job was deleted from the library.');
      const state = seen.get(id) ?? { retrying: false, failures: 0 };
      seen.set(id, state);
      const changed = state.status !== record.status;
      state.status = record.status;
      const say = (text: string) => progress.note(`${label(id)}${text}`);
      if (item && item.remoteStatus !== state.remote) {
        state.remote = item.remoteStatus;
        if (item.remoteStatus) say(`RunComfy says: ${item.remoteStatus}.`);
      }
      switch (record.status) {
        case 'submitting':
          return;
        case 'queued': {
          const position = item?.queuePosition;
          if (changed) say('Queued at RunComfy.');
          if (position !== undefined && position !== state.position) say(`Queue position ${position}.`);
          state.position = position;
          return;
        }
        case 'running':
          if (changed) {
            state.startedAt = Date.parse(record.startedAt ?? new Date().toISOString());
            say(`${statusWord('running')}.`);
          }
          return;
        case 'completed': {
          const video = record.files.find((file) => file.kind === 'video' && file.complete);
          if (video) {
            say(`Completed. Video: ${join(store.folderOf(id), video.name)}`);
            return settle(id);
          }
          if (changed) say('Finished at RunComfy; downloading the video.');
          const download = item?.download;
          if (!download) return;
          if (download.retrying && !state.retrying && ++state.failures >= DOWNLOAD_TRIES) {
            return settle(
              id,
              `The video could not be downloaded after ${DOWNLOAD_TRIES} tries (see the messages above). ` +
                'It stays at RunComfy for a while: `npm run jobs -- resume` tries again.',
            );
          }
          state.retrying = download.retrying;
          if (!download.retrying && (download.received > 0 || download.total)) {
            const share = download.total ? ` ${Math.floor((100 * download.received) / download.total)}%` : '';
            const of = download.total ? ` of ${formatBytes(download.total)}` : '';
            progress.update(`download:${id}`, `${label(id)}Downloading the video:${share} (${formatBytes(download.received)}${of})`);
          }
          return;
        }
        case 'failed':
          say(`Failed: ${record.error ?? 'RunComfy gave no reason.'}`);
          return settle(id);
        case 'cancelled':
          say(`Cancelled.${record.error ? ` ${record.error}` : ''}`);
          return settle(id);
        case 'expired':
          say(`Expired: ${record.error ?? 'RunComfy no longer has this job.'}`);
          return settle(id);
        case 'submit_unknown':
          say(`It is not known whether RunComfy received this job. ${DECIDE_HINT}`);
          return settle(id);
      }
    };

    const onRunner = (state: RunnerState) => {
      if (state.paused === paused) return;
      paused = state.paused;
      if (paused === 'signed_out') {
        const message =
          'RunComfy refused the API token, so Keyframe stopped following. The job goes on at RunComfy: set a valid ' +
          'token (RUNCOMFY_TOKEN, or in the app) and run `npm run jobs -- resume`.';
        for (const id of [...open]) settle(id, message);
      } else if (paused === 'offline') {
        progress.note('RunComfy cannot be reached; Keyframe keeps trying.');
      } else if (paused === 'rate_limited') {
        progress.note(`RunComfy asked Keyframe to slow down; waiting${state.until ? ` until ${state.until.slice(11, 19)} UTC` : ''}.`);
      } else {
        progress.note('Following again.');
      }
    };

    const stopListening = events.listen((name, payload) => {
      if (name === 'jobs:changed') check((payload as QueueItem).id, payload as QueueItem);
      else if (name === 'jobs:runner') onRunner(payload as RunnerState);
    });
    const ticker = setInterval(() => {
      for (const id of open) {
        const state = seen.get(id);
        if (state?.status !== 'running' || state.startedAt === undefined) continue;
        const seconds = Math.max(0, Math.round((Date.now() - state.startedAt) / 1000));
        const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
        progress.update(`running:${id}`, `${label(id)}${statusWord('running')} for ${clock}`);
      }
    }, 1000);
    options.signal?.addEventListener('abort', finish, { once: true });
    if (options.signal?.aborted) return finish();
    for (const id of ids) check(id);
  });
}
