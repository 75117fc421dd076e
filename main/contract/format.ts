/**
 * The formats every screen and every message uses (sizes, ratios, dates, durations, the words for a
 * job's state), so main and the renderer, the Queue and the Library, say the same thing.
 */
import type { JobStatus } from './library';
import { BYTES_PER_MB, frameRules } from './model';
import type { ImageFormat } from './model';

const formatNames: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  tiff: 'TIFF',
  heif: 'HEIF',
  bmp: 'BMP',
};

/** How a detected format is named to the user. */
export const formatName = (format: ImageFormat): string => formatNames[format];

/** "412 KB", "9.9 MB": decimal units, megabytes as the model's limit counts them (see BYTES_PER_MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < BYTES_PER_MB) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / BYTES_PER_MB).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * A number with as many decimals as it takes (from `min`) not to read as `reference` unless it
 * equals it: 2.4975 against 2.5 reads "2.4975", not "2.50", so a passing value never looks like the limit.
 */
export function formatNear(value: number, reference: number, min = 2): string {
  for (let digits = min; digits <= 6; digits++) {
    const text = value.toFixed(digits);
    if (value === reference || text !== reference.toFixed(digits)) return text;
  }
  return String(value);
}

const ratioLimits = frameRules.filter((rule) => rule.measure === 'width/height').map((rule) => rule.limit);

/** A width/height ratio, with the digits it takes not to read as the nearest ratio limit ("2.498", not "2.50"). */
export function formatRatio(ratio: number): string {
  const nearest = ratioLimits.reduce(
    (best, limit) => (Math.abs(limit - ratio) < Math.abs(best - ratio) ? limit : best),
    ratioLimits[0] ?? ratio,
  );
  return formatNear(ratio, nearest);
}

// ---- dates and durations, in the user's locale ------------------------------------------------

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

/** A date and time to the second, e.g. "12 May 2025, 14:03:27". */
export const formatInstant = (iso: string): string => precise.format(new Date(iso));

/** Seconds as a clock, "1:04", or with milliseconds "1:04.250". */
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

// ---- the words for a job's state ---------------------------------------------------------------

/** One word for each state, the same on every screen. */
export const statusWords: Readonly<Record<JobStatus, string>> = {
  submitting: 'Sending',
  submit_unknown: 'Needs your decision',
  queued: 'Queued',
  running: 'Generating',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** The word for a job: its state's, unless its video is still coming down (or waiting to try again). */
export function statusWord(status: JobStatus, download?: 'downloading' | 'paused'): string {
  if (download === 'paused') return 'Download paused';
  if (download === 'downloading') return 'Downloading';
  return statusWords[status];
}
