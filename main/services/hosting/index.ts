/** Frame hosting: the one place a frame becomes a URL RunComfy can fetch (docs/hosting.md). */
export { HostingService } from './hosting-service';
export type { HostingServiceOptions } from './hosting-service';
export { chooseHost, describeHosting } from './choose';
export type { HostChoice } from './choose';
export type { FrameHost, FrameToHost, HostedFrame, HostOptions, HostProgress } from './frame';
export { readVerified } from './frame';
export { inlineRefusal } from './inline-refusal';
export type { SentCopy } from './inline-fit';
export { urlForLog } from './redact';
