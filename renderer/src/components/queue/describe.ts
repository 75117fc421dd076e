/** Words and numbers for the queue, in one place. */
import type { QueueItem } from '../../../../main/contract';

export function describeStatus(item: QueueItem): { label: string; tone: 'active' | 'good' | 'bad' | 'warn' | 'quiet' } {
  if (item.download)
    return { label: item.download.retrying ? 'Download paused' : 'Downloading', tone: item.download.retrying ? 'warn' : 'active' };
  switch (item.status) {
    case 'submitting':
      return { label: 'Sending', tone: 'active' };
    case 'submit_unknown':
      return { label: 'Needs your decision', tone: 'warn' };
    case 'queued':
      return { label: 'Queued', tone: 'active' };
    case 'running':
      return { label: 'Rendering', tone: 'active' };
    case 'completed':
      return { label: 'Done', tone: 'good' };
    case 'failed':
      return { label: 'Failed', tone: 'bad' };
    case 'cancelled':
      return { label: 'Cancelled', tone: 'quiet' };
    case 'expired':
      return { label: 'Expired', tone: 'quiet' };
  }
}

export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
