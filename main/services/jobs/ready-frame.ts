/** Turns a frame picked on the Create screen into one the runner may send, checking it once more. */
import { AppError } from '../../contract';
import type { Frame } from '../../contract';
import { acceptedFormats, extensionsOf, mimeOf } from '../../contract/model';
import type { FrameService } from '../frames/service';
import type { ReadyFrame } from './submit';

export async function readyFrame(frames: FrameService, id: string, role: 'start' | 'end'): Promise<ReadyFrame> {
  const staged = await frames.staged(id);
  const frame: Frame = frames.get(id);
  if (!frame.accepted || !acceptedFormats.includes(frame.format)) {
    // Width and height share one message in the schema: say it once.
    const failing = [...new Set(frame.checks.filter((check) => !check.pass).map((check) => check.message))];
    throw new AppError(
      'invalid_input',
      `The ${role} frame does not meet the model's limits: ${failing.join(' ') || 'its type is not accepted.'}`,
    );
  }
  if (frame.integrity === 'corrupt') {
    throw new AppError(
      'invalid_input',
      `The ${role} frame is damaged: ${frame.integrityMessage ?? 'it could not be decoded.'} Pick it again.`,
    );
  }
  return {
    path: staged.path,
    sha256: frame.sha256,
    ...(frame.sourceUrl ? { sourceUrl: frame.sourceUrl } : {}),
    mime: mimeOf(frame.format),
    bytes: frame.bytes,
    name: frame.name,
    ext: extensionsOf(frame.format)[0],
  };
}
