/** Turns a board's record and its tagged jobs into the contract's Storyboard, with media addresses. */
import type { Shot, Storyboard, StoryboardSummary, Take } from '../../contract/storyboard';
import { jobFolder } from '../library/layout';
import type { JobRecord } from '../library/manifest';
import { MEDIA_ROOT } from '../library/present';
import { completeVideo, posterOf, startFrameOf } from '../library/rows';
import { thumbnailOf } from '../media';
import type { MediaUrl } from '../media';
import { currentShots, shotOf, STORYBOARDS_DIR } from './record';
import type { BoardKeyframe, BoardRecord } from './record';

/** Made from keyframes whose bytes have changed since (replaced or fixed). */
export const isStale = (take: JobRecord, start: BoardKeyframe, end: BoardKeyframe) =>
  take.tag?.from[0] !== start.sha256 || take.tag?.from[1] !== end.sha256;

export function keyframeUrl(mediaUrl: MediaUrl, record: BoardRecord, keyframe: BoardKeyframe): string {
  return mediaUrl(MEDIA_ROOT, `${STORYBOARDS_DIR}/${record.id}/${keyframe.file}`);
}

/** A file of a take's job, as the media handler serves it from the library. */
export const jobFileUrl = (mediaUrl: MediaUrl, jobId: string, name: string): string => mediaUrl(MEDIA_ROOT, `${jobFolder(jobId)}/${name}`);

/**
 * A take's still: its job's poster; else a thumbnail of the job's own start frame, which is the
 * take's first frame (even when that keyframe was replaced since); else the shot's start keyframe's.
 */
function posterUrlOf(job: JobRecord, url: (name: string) => string, startKeyframeThumbUrl: string): string {
  const poster = posterOf(job);
  const start = startFrameOf(job);
  return poster ? url(poster) : start ? thumbnailOf(url(start)) : startKeyframeThumbUrl;
}

function toTake(job: JobRecord, stale: boolean, startKeyframeThumbUrl: string, mediaUrl: MediaUrl): Take {
  const url = (name: string) => jobFileUrl(mediaUrl, job.id, name);
  const video = completeVideo(job);
  return {
    jobId: job.id,
    status: job.status,
    stale,
    ...(video ? { videoUrl: url(video) } : {}),
    posterUrl: posterUrlOf(job, url, startKeyframeThumbUrl),
    durationS: job.files.find((file) => file.name === video)?.durationS ?? job.duration,
    ...(job.cost?.usd !== undefined ? { costUsd: job.cost.usd } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
  };
}

export function toStoryboard(record: BoardRecord, jobs: JobRecord[], mediaUrl: MediaUrl): Storyboard {
  const shots: Shot[] = currentShots(record).map(({ key, index, start, end }) => {
    const { prompt, duration, picked } = shotOf(record, key);
    const startThumbUrl = thumbnailOf(keyframeUrl(mediaUrl, record, start));
    const takes = jobs.filter((job) => job.tag?.shot === key).map((job) => toTake(job, isStale(job, start, end), startThumbUrl, mediaUrl));
    const pickedTake = takes.find((take) => take.jobId === picked);
    const stale = pickedTake ? pickedTake.stale : takes.length > 0 && takes.every((take) => take.stale);
    return { key, index, prompt, duration, takes, ...(pickedTake ? { pickedJobId: pickedTake.jobId } : {}), stale };
  });
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    takesPerShot: record.takesPerShot,
    keyframes: record.keyframes.map((keyframe) => ({
      id: keyframe.id,
      name: keyframe.name,
      mediaUrl: keyframeUrl(mediaUrl, record, keyframe),
      thumbUrl: thumbnailOf(keyframeUrl(mediaUrl, record, keyframe)),
      sha256: keyframe.sha256,
      width: keyframe.width,
      height: keyframe.height,
      bytes: keyframe.bytes,
      accepted: keyframe.accepted,
      ...(keyframe.changedAt ? { changedAt: keyframe.changedAt } : {}),
    })),
    shots,
  };
}

/** A shot counts as ready when its picked take is complete with its video. */
export const isReady = (shot: Shot) => shot.takes.some((take) => take.jobId === shot.pickedJobId && take.videoUrl);

export function toSummary(board: Storyboard): StoryboardSummary {
  return {
    id: board.id,
    name: board.name,
    updatedAt: board.updatedAt,
    keyframes: board.keyframes.length,
    shots: board.shots.length,
    ready: board.shots.filter(isReady).length,
    ...(board.keyframes[0] ? { posterUrl: board.keyframes[0].mediaUrl } : {}),
  };
}
