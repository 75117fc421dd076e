/**
 * The composition root for main's services. It imports nothing from Electron, so the Electron
 * shell, the test/demo carrier and the headless CLIs all build the same services from here.
 */
import type { AppInfo } from '../contract';
import { EventBus } from './events';
import type { Logger } from './log';
import { SettingsStore } from './settings';

export interface ServiceOptions {
  userDataDir: string;
  shell: AppInfo['shell'];
  version: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface Services {
  options: ServiceOptions;
  events: EventBus;
  log: Logger;
  settings: SettingsStore;
  appInfo(): AppInfo;
  close(): Promise<void>;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const events = new EventBus();
  const settings = new SettingsStore(options.userDataDir, events, options.log);
  await settings.load();
  return {
    options,
    events,
    log: options.log,
    settings,
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
