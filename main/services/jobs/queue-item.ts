/** Maps a library job to what the queue shows. */
import type { JobDetail, QueueItem } from '../../contract';

/** A video on its way: bytes so far, and whether it waits to be tried again (and why). */
export interface DownloadProgress {
  received: number;
  total?: number;
  retrying: boolean;
  problem?: string;
}

export function toQueueItem(job: JobDetail, download?: DownloadProgress, remoteStatus?: string): QueueItem {
  return {
    id: job.id,
    status: job.status,
    prompt: job.prompt,
    duration: job.duration,
    createdAt: job.createdAt,
    ...(job.submittedAt ? { submittedAt: job.submittedAt } : {}),
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.requestId ? { requestId: job.requestId } : {}),
    ...(job.queuePosition !== undefined && job.queuePosition !== null ? { queuePosition: job.queuePosition } : {}),
    ...(remoteStatus && (job.status === 'queued' || job.status === 'running') ? { remoteStatus } : {}),
    ...(download || job.downloading ? { download: download ?? { received: 0, retrying: false } } : {}),
    ...(job.videoUrl ? { videoUrl: job.videoUrl } : {}),
    ...(job.startFrameThumbUrl ? { startFrameThumbUrl: job.startFrameThumbUrl } : {}),
    hosts: job.frames.map((frame) => frame.host).filter((host) => host !== undefined),
    ...(job.take ? { take: job.take } : {}),
    ...(job.error ? { error: job.error } : {}),
    canCancel: (job.status === 'queued' || job.status === 'running') && !!job.requestId,
    needsDecision: job.status === 'submit_unknown',
  };
}
