/** How the library shows times, durations, sizes and statuses, in the user's locale. */
import type { JobStatus } from '../../../main/contract';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const full = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const precise = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** "Today, 14:03", "Yesterday, 09:12", "12 May, 14:03" this year, else "12 May 2025". */
export function formatWhen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (date.getTime() >= startOfToday) return `Today, ${time.format(date)}`;
  if (date.getTime() >= startOfToday - 86_400_000) return `Yesterday, ${time.format(date)}`;
  if (date.getFullYear() === now.getFullYear()) return `${dayMonth.format(date)}, ${time.format(date)}`;
  return full.format(date);
}

export const formatInstant = (iso: string) => precise.format(new Date(iso));

/** Seconds as "0:04.250" (with milliseconds) or "0:04". */
export function formatClock(seconds: number, withMs = false): string {
  const safe = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
  const minutes = Math.floor(safe / 60);
  const rest = safe - minutes * 60;
  const whole = Math.floor(rest);
  const ms = Math.floor((rest - whole) * 1000);
  return `${minutes}:${String(whole).padStart(2, '0')}${withMs ? `.${String(ms).padStart(3, '0')}` : ''}`;
}

/** The time between two instants, e.g. "1 min 35 s". */
export function formatSpan(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const statusLabels: Record<JobStatus, string> = {
  submitting: 'Submitting',
  submit_unknown: 'Outcome unknown',
  queued: 'Queued',
  running: 'Generating',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

export function statusLabel(job: { status: JobStatus; downloading?: boolean }): string {
  return job.status === 'completed' && job.downloading ? 'Downloading' : statusLabels[job.status];
}
