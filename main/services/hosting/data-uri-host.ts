/**
 * Inline data URIs: the frame's bytes travel inside the request as `data:<type>;base64,…`. Needs no
 * setup, which makes it the default until a bucket is set up; RunComfy's Model API does not
 * document it, so a refusal is recognised (inline-refusal.ts) and the user is sent to the bucket settings.
 * A frame over RunComfy's inline cap goes as a re-encoded copy (inline-fit.ts), reported in `sent`.
 */
import type { InlinePlan } from '../../contract';
import type { FrameHost, FrameToHost, HostedFrame, HostOptions } from './frame';
import { cancelled, readVerified } from './frame';
import { InlineFitter } from './inline-fit';

export class DataUriHost implements FrameHost {
  readonly kind = 'data-uri' as const;

  constructor(private readonly fitter: InlineFitter) {}

  /** What sending this frame inline will do (the Create screen says it before submitting). */
  plan(frame: FrameToHost): Promise<InlinePlan> {
    return this.fitter.plan(frame);
  }

  async host(frame: FrameToHost, options: HostOptions = {}): Promise<HostedFrame> {
    if (options.signal?.aborted) throw cancelled();
    if (this.fitter.fitsAsIs(frame.bytes)) {
      const bytes = frame.data ?? (await readVerified(frame));
      return { url: `data:${frame.mime};base64,${bytes.toString('base64')}`, host: 'data-uri' };
    }
    const copy = await this.fitter.copyFor(frame);
    if (options.signal?.aborted) throw cancelled();
    return { url: `data:${copy.mime};base64,${copy.bytes.toString('base64')}`, host: 'data-uri', sent: copy };
  }
}

/** The app's data-URI host, under RunComfy's inline cap. */
export const dataUriHost = new DataUriHost(new InlineFitter());
