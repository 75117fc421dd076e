/**
 * Inline data URIs: the frame's bytes travel inside the request as `data:<type>;base64,…`. Needs no
 * setup, which makes it the default until a bucket is set up; RunComfy's Model API does not
 * document it, so a refusal is recognised (inline-refusal.ts) and the user is sent to the bucket settings.
 */
import type { FrameHost, FrameToHost, HostedFrame, HostOptions } from './frame';
import { cancelled, readVerified } from './frame';

export const dataUriHost: FrameHost = {
  kind: 'data-uri',
  async host(frame: FrameToHost, options: HostOptions = {}): Promise<HostedFrame> {
    if (options.signal?.aborted) throw cancelled();
    const bytes = await readVerified(frame);
    return { url: `data:${frame.mime};base64,${bytes.toString('base64')}`, host: 'data-uri' };
  },
};
