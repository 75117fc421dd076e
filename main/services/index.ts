/**
 * The composition root for main's services. It imports nothing from Electron, so the Electron
 * shell, the test/demo carrier and the headless CLIs all build the same services from here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../contract';
import { EventBus } from './events';
import { FrameService } from './frames/service';
import type { Logger } from './log';
import type { MediaRoots, MediaUrl } from './media';
import type { Platform } from './platform';
import { SettingsStore } from './settings';

export interface ServiceOptions {
  userDataDir: string;
  shell: AppInfo['shell'];
  version: string;
  log: Logger;
  platform: Platform;
  /** How the current shell addresses a file under a media root (see media.ts). */
  mediaUrl: MediaUrl;
  /** Environment variables the services honour (RUNCOMFY_TOKEN, KEYFRAME_API_BASE_URL, ...). */
  env: NodeJS.ProcessEnv;
}

export interface Services {
  options: ServiceOptions;
  events: EventBus;
  log: Logger;
  settings: SettingsStore;
  frames: FrameService;
  platform: Platform;
  /** Folders whose files the renderer may load (the media rule in media.ts). */
  mediaRoots(): MediaRoots;
  appInfo(): AppInfo;
  close(): Promise<void>;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const events = new EventBus();
  const settings = new SettingsStore(options.userDataDir, events, options.log);
  await settings.load();
  const stagingDir = join(options.userDataDir, 'staging');
  await mkdir(stagingDir, { recursive: true });
  const frames = new FrameService({
    stagingDir,
    mediaUrl: (relativePath) => options.mediaUrl('staging', relativePath),
    events,
    log: options.log,
    platform: options.platform,
  });
  await frames.init();
  return {
    options,
    events,
    log: options.log,
    settings,
    frames,
    platform: options.platform,
    mediaRoots: () => ({ staging: stagingDir }),
    appInfo: () => ({
      name: 'Keyframe',
      version: options.version,
      shell: options.shell,
      platform: process.platform,
      userDataDir: options.userDataDir,
    }),
    close: async () => {},
  };
}
