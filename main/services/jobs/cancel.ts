/**
 * Cancelling a job while it waits. RunComfy answers with an outcome: cancelled, or not cancellable
 * once it has started; then the job goes on there and stays followed until its video arrives.
 */
import { AppError } from '../../contract';
import type { CancelOutcome } from '../../contract';
import type { Follower } from './follow';
import type { RoomParts } from './recorder';

const NOT_CANCELLABLE = 'RunComfy is already making this video, so it cannot be cancelled; it will finish and be charged.';
const ALREADY_FINISHED = 'RunComfy has already finished this video, so it cannot be cancelled; it is charged and will download.';

export async function cancelJob(
  id: string,
  { store, client, follower, recorder, signal }: RoomParts & { follower: Follower },
): Promise<CancelOutcome> {
  const record = store.require(id);
  if (!record.requestId || !(record.status === 'queued' || record.status === 'running')) {
    throw new AppError('invalid_input', `Job ${id} is ${record.status}; only queued jobs can be cancelled.`);
  }
  const outcome = await client.cancel(record.requestId, { signal });
  if (outcome.cancelled) {
    await store.recordStatus(id, 'cancelled', { note: 'cancelled by the user' });
    follower.unfollow(id);
    recorder.changed(id);
    recorder.checkIdle();
    return { cancelled: true, message: 'The job was cancelled.' };
  }
  // Not cancelled: the job goes on at RunComfy, so it stays followed (the next poll tells how it ends).
  const finished = /^(completed|succeeded)$/i.test(outcome.status ?? '');
  await store.recordStatus(id, record.status, { note: `cancel refused: ${outcome.message ?? outcome.status ?? 'not cancellable'}` });
  follower.follow(id);
  recorder.changed(id);
  return { cancelled: false, message: finished ? ALREADY_FINISHED : NOT_CANCELLABLE };
}
