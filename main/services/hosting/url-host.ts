/** A frame picked as an http(s) address: it was checked when picked, and goes to RunComfy unchanged. */
import { AppError } from '../../contract';
import type { FrameHost, FrameToHost, HostedFrame } from './frame';

export const urlHost: FrameHost = {
  kind: 'url',
  async host(frame: FrameToHost): Promise<HostedFrame> {
    const url = frame.sourceUrl ?? '';
    if (!/^https?:\/\//i.test(url)) throw new AppError('invalid_input', 'This frame has no http(s) address to send as is. Pick it again.');
    return { url, host: 'url' };
  },
};
