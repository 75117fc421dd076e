/** A FrameService on a temporary folder with a recording platform, for tests and benchmarks. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingPlatform } from './carrier/platform';
import type { EventName, EventPayload } from '../main/contract';
import { EventBus } from '../main/services/events';
import { createLogger } from '../main/services/log';
import { FrameService } from '../main/services/frames/service';
import type { FetchLimits } from '../main/services/frames/fetch-url';

export async function frameServiceForTest(options: { fetchLimits?: FetchLimits } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kf-frames-'));
  const events = new EventBus();
  const emitted: { name: EventName; payload: EventPayload<EventName> }[] = [];
  events.listen((name, payload) => emitted.push({ name, payload }));
  const platform = new RecordingPlatform(join(dir, 'Trash'));
  const logLines: string[] = [];
  const service = new FrameService({
    stagingDir: join(dir, 'staging'),
    mediaUrl: (relativePath) => `/media/staging/${relativePath}`,
    events,
    log: createLogger((line) => logLines.push(line)),
    platform,
    fetchLimits: options.fetchLimits,
  });
  await service.init();
  return { dir, service, events, emitted, platform, logLines, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
