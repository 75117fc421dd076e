/** Which status a job may move to, and what each move writes into its record. */
import { AppError } from '../../contract/errors';
import { statusWord } from '../../contract/format';
import { terminalStatuses } from '../../contract/library';
import type { JobStatus } from '../../contract/library';
import type { JobRecord } from './manifest';

export interface StatusDetails {
  /** Shown in the history, e.g. "cancel refused: already running". */
  note?: string;
  /** The server's own words for a failure. */
  error?: string;
  requestId?: string;
}

/**
 * Records a status change at `at` in `record`. Terminal states (completed, failed, cancelled,
 * expired) are final, but for a completed job whose video never arrived: RunComfy's result may
 * still say it failed, was cancelled or is gone. Repeating the current status only updates the details.
 */
export function applyStatus(record: JobRecord, status: JobStatus, details: StatusDetails, at: string): void {
  const videoless = record.status === 'completed' && !record.files.some((file) => file.kind === 'video' && file.complete);
  if (record.status !== status && terminalStatuses.includes(record.status) && !videoless) {
    throw new AppError('invalid_input', `Job ${record.id} is already ${record.status}; it cannot become ${status}.`);
  }
  if (details.requestId) record.requestId = details.requestId;
  if (details.error !== undefined) record.error = details.error;
  if (record.status !== status || details.note) record.history.push({ status, at, ...(details.note ? { note: details.note } : {}) });
  if (record.status !== status) {
    if (status === 'queued' || (status === 'running' && !record.submittedAt)) record.submittedAt ??= at;
    if (status === 'running') record.startedAt ??= at;
    if (terminalStatuses.includes(status)) record.finishedAt = at;
  }
  record.status = status;
}

/** Still at RunComfy, or waiting for the user's decision: the job's folder must stay where the runner writes. */
export const isOpen = (record: JobRecord): boolean => !terminalStatuses.includes(record.status);

/** Refuses to trash an open job, saying what to do instead. */
export function mustBeClosed(record: JobRecord): void {
  if (!isOpen(record)) return;
  const todo =
    record.status === 'submit_unknown' ? 'Decide in the Queue what to do with it first' : 'Cancel it in the Queue, or wait until it ends';
  throw new AppError('invalid_input', `This job is still open (${statusWord(record.status)}). ${todo}; nothing was moved to the trash.`);
}
