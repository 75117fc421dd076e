/** How the queue shows a job's state: the contract's word for it, in a colour for its kind. */
import type { QueueItem } from '$contract';
import { statusWord } from '$contract/format';

export type StatusTone = 'active' | 'good' | 'bad' | 'warn' | 'quiet';

const tones: Record<QueueItem['status'], StatusTone> = {
  submitting: 'active',
  submit_unknown: 'warn',
  queued: 'active',
  running: 'active',
  completed: 'good',
  failed: 'bad',
  cancelled: 'quiet',
  expired: 'quiet',
};

export function describeStatus(item: QueueItem): { label: string; tone: StatusTone } {
  if (item.download) {
    const paused = item.download.retrying;
    return { label: statusWord(item.status, paused ? 'paused' : 'downloading'), tone: paused ? 'warn' : 'active' };
  }
  return { label: statusWord(item.status), tone: tones[item.status] };
}
