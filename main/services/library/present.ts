/** Turns index rows and job records into the contract's DTOs, with media addresses for the renderer. */
import type { JobDetail, JobSummary, TakeOf } from '../../contract/library';
import { thumbnailOf } from '../media';
import type { MediaUrl } from '../media';
import { jobFolder } from './layout';
import type { JobRecord } from './manifest';
import { EXCERPT_CHARS } from './queries';
import type { SummaryRow } from './queries';
import { completeVideo, posterOf, startFrameOf } from './rows';

export const MEDIA_ROOT = 'library';

const fileUrl = (mediaUrl: MediaUrl, id: string, name: string) => mediaUrl(MEDIA_ROOT, `${jobFolder(id)}/${name}`);
const iso = (ms: number) => new Date(ms).toISOString();

/** `take`: the storyboard and shot, for a storyboard's take (named by the board as it is now). */
export function summaryFromRow(row: SummaryRow, mediaUrl: MediaUrl, take?: TakeOf): JobSummary {
  return {
    id: row.id,
    createdAt: iso(row.created_at),
    status: row.status,
    prompt: row.prompt,
    duration: row.duration,
    favourite: row.favourite === 1,
    ...(row.poster ? { posterUrl: fileUrl(mediaUrl, row.id, row.poster) } : {}),
    ...(row.video ? { videoUrl: fileUrl(mediaUrl, row.id, row.video) } : {}),
    ...(row.start_frame ? { startFrameThumbUrl: thumbnailOf(fileUrl(mediaUrl, row.id, row.start_frame)) } : {}),
    downloading: row.downloading === 1,
    ...(row.error ? { error: row.error } : {}),
    ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
    ...(take ? { take } : {}),
  };
}

export function detailFromRecord(record: JobRecord, queuePosition: number | null, mediaUrl: MediaUrl, take?: TakeOf): JobDetail {
  const video = completeVideo(record);
  const poster = posterOf(record);
  const url = (name: string) => fileUrl(mediaUrl, record.id, name);
  return {
    ...summaryFromRow(
      {
        id: record.id,
        created_at: Date.parse(record.createdAt),
        status: record.status,
        prompt: record.prompt.slice(0, EXCERPT_CHARS),
        duration: record.duration,
        favourite: record.favourite ? 1 : 0,
        video: video ?? null,
        poster: poster ?? null,
        start_frame: startFrameOf(record) ?? null,
        downloading: record.status === 'completed' && !video ? 1 : 0,
        error: record.error ?? null,
        cost_usd: record.cost?.usd ?? null,
      },
      mediaUrl,
      take,
    ),
    prompt: record.prompt,
    model: record.model,
    ...(record.requestId ? { requestId: record.requestId } : {}),
    ...(queuePosition !== null ? { queuePosition } : {}),
    updatedAt: record.updatedAt,
    ...(record.submittedAt ? { submittedAt: record.submittedAt } : {}),
    ...(record.startedAt ? { startedAt: record.startedAt } : {}),
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    history: record.history,
    frames: record.files
      .filter((file) => file.kind === 'frame' && file.role)
      .map((file) => ({
        role: file.role!,
        url: url(file.name),
        file: file.name,
        bytes: file.bytes,
        sha256: file.sha256 ?? '',
        ...(file.host ? { host: file.host } : {}),
        ...(file.sentUrl ? { sentUrl: file.sentUrl } : {}),
        ...(file.reencodedFrom ? { reencodedFrom: file.reencodedFrom } : {}),
      })),
    videos: record.files
      .filter((file) => file.kind === 'video')
      .map((file) => ({
        url: url(file.name),
        file: file.name,
        bytes: file.bytes,
        complete: file.complete,
        ...(file.durationS ? { durationS: file.durationS } : {}),
        ...(file.frames && file.frameRate ? { frames: file.frames, frameRate: file.frameRate } : {}),
      })),
    ...(record.cost ? { cost: record.cost } : {}),
  };
}
