/** What the Library hands to Create for a re-run or a grabbed frame: the job's frames as bytes, and what the toast says. */
import type { JobDetail } from '$contract';
import { formatBytes } from '$contract/format';
import type { CreateHandoff, FrameBytes } from './handoff.svelte';

/** A file name for a frame grabbed from a job's video, e.g. "20260101-… last frame.png". */
export const grabbedName = (job: { id: string }, what: string, type: string) =>
  `${job.id} ${what}.${type === 'image/jpeg' ? 'jpg' : 'png'}`;

/** The job's start and end frames from its folder (no network), as Create takes a paste. */
export function jobFrames(job: JobDetail): Promise<[FrameBytes | undefined, FrameBytes | undefined]> {
  return Promise.all([frameBytes(job, 'start'), frameBytes(job, 'end')]);
}

async function frameBytes(job: JobDetail, role: 'start' | 'end'): Promise<FrameBytes | undefined> {
  const frame = job.frames.find((f) => f.role === role);
  if (!frame) return undefined;
  const response = await fetch(frame.url);
  if (!response.ok) throw new Error(`the ${role} frame is missing from the job's folder`);
  return {
    name: `${job.id} ${role}${frame.file.slice(frame.file.lastIndexOf('.'))}`,
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/** "Re-running in Create: 5 s, start and end frames, 1.2 MB." (or why nothing was submitted while offline). */
export function describeHandoff(item: CreateHandoff, offline: boolean): string {
  const frames = [item.start && 'start', item.end && 'end'].filter(Boolean);
  const size = (item.start?.bytes.byteLength ?? 0) + (item.end?.bytes.byteLength ?? 0);
  const what = [
    `${item.duration} s`,
    frames.length ? `${frames.join(' and ')} frame${frames.length > 1 ? 's' : ''}, ${formatBytes(size)}` : 'no frames',
  ].join(', ');
  if (offline)
    return `You are offline, so nothing was submitted. The job (${what}) is ready in Create; submit it when you are back online.`;
  return item.autoSubmit ? `Re-running in Create: ${what}.` : `Ready to edit in Create: ${what}.`;
}
