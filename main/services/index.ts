/**
 * The composition root for main's services. It imports nothing from Electron, so the Electron
 * shell, the test/demo carrier and the headless CLIs all build the same services from here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../contract';
import { EventBus } from './events';
import { HostingService } from './hosting';
import { KeytarSecretStore } from './keychain/keytar-store';
import { KEYCHAIN_SERVICE } from './keychain/secret-store';
import type { SecretStore } from './keychain/secret-store';
import { Library } from './library';
import { FrameService } from './frames/service';
import { localPollPolicy, PollSchedule } from './jobs/poll-schedule';
import { JobsService } from './jobs/service';
import type { Logger } from './log';
import type { MediaUrl } from './media';
import type { MediaFiles } from './media-handler';
import type { Platform } from './platform';
import { createRunComfyClient, describeBaseUrl, resolveBaseUrl } from './runcomfy/client';
import type { RunComfyClient } from './runcomfy/client';
import { PriceReader } from './runcomfy/price';
import { TokenService } from './runcomfy/token';
import { SettingsStore } from './settings';
import { StoryboardService } from './storyboard/service';
import { takeNamer } from './storyboard/take-of';
import { Thumbnails } from './thumbnails';

export interface ServiceOptions {
  userDataDir: string;
  shell: AppInfo['shell'];
  version: string;
  log: Logger;
  platform: Platform;
  /** How the current shell addresses a file under a media root (see media.ts). */
  mediaUrl: MediaUrl;
  /**
   * Environment variables the services honour: RUNCOMFY_TOKEN, KEYFRAME_API_BASE_URL,
   * RUNCOMFY_CONFIG_DIR, XDG_CONFIG_HOME and HOME (where RunComfy's CLI keeps its token:
   * runcomfy/cli-token.ts), KEYFRAME_KEYCHAIN_SERVICE (a separate keychain entry, for tests),
   * KEYFRAME_LIBRARY (a library folder over the setting; library/index.ts).
   */
  env: NodeJS.ProcessEnv;
  /** Start following open jobs at once (default). The headless `jobs list` does not. */
  followJobs?: boolean;
}

export interface Services {
  options: ServiceOptions;
  events: EventBus;
  log: Logger;
  settings: SettingsStore;
  frames: FrameService;
  platform: Platform;
  /** The OS keychain (secrets by account under one service name). */
  secrets: SecretStore;
  /** RunComfy's Model API, with the current token and base URL. */
  runcomfy: RunComfyClient;
  token: TokenService;
  /** The model's price, read from RunComfy and kept a few minutes (runcomfy/price.ts). */
  price: PriceReader;
  /** Every job with its files (library/store.ts is the storage API) and the gallery's actions. */
  library: Library;
  /** Turns frames into URLs RunComfy can fetch (the Jobs runner calls `hosting.host(frame)`). */
  hosting: HostingService;
  /** Submits, follows, cancels and downloads jobs (jobs/service.ts, with the runner's rooms in jobs/). */
  jobs: JobsService;
  /** Storyboards: keyframe strips whose shots' takes are tagged jobs (storyboard/). */
  storyboard: StoryboardService;
  /** What the media handler serves: the folders whose files the renderer may load (the media rule in media.ts) and thumbnails of their images. */
  media: MediaFiles;
  appInfo(): AppInfo;
  close(): Promise<void>;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const events = new EventBus();
  const settings = new SettingsStore(options.userDataDir, events, options.log);
  await settings.load();
  const secrets = new KeytarSecretStore(options.env['KEYFRAME_KEYCHAIN_SERVICE']?.trim() || KEYCHAIN_SERVICE, options.log);
  const runcomfy = createRunComfyClient({
    baseUrl: () => resolveBaseUrl(options.env, settings.get().apiBaseUrl),
    getToken: () => token.current(),
    onUnauthorized: (refused) => token.markInvalid(refused),
    log: options.log,
  });
  const token = new TokenService({
    store: secrets,
    client: runcomfy,
    env: options.env,
    events,
    log: options.log,
    platform: options.platform,
    api: () => describeBaseUrl(options.env, settings.get().apiBaseUrl),
  });
  await token.load();
  const price = new PriceReader({ client: runcomfy, log: options.log });
  const hosting = new HostingService({ settings, secrets, events, log: options.log });
  const stagingDir = join(options.userDataDir, 'staging');
  await mkdir(stagingDir, { recursive: true });
  const library = await Library.open({ ...options, settings, events });
  const thumbnails = new Thumbnails(join(options.userDataDir, 'thumbnails'));
  thumbnails.trim().catch((error: unknown) => options.log.warn('thumbnails', 'the cache was not trimmed', error));
  const frames = new FrameService({
    stagingDir,
    mediaUrl: (relativePath) => options.mediaUrl('staging', relativePath),
    events,
    log: options.log,
    platform: options.platform,
  });
  await frames.init();
  const pollPolicy = localPollPolicy(options.env, resolveBaseUrl(options.env, settings.get().apiBaseUrl));
  const jobs = new JobsService({
    ...(pollPolicy ? { schedule: new PollSchedule(Date.now, pollPolicy) } : {}),
    frames,
    store: library.store,
    client: runcomfy,
    hosting,
    events,
    log: options.log,
    platform: options.platform,
    who: options.shell === 'headless' ? 'the jobs CLI' : 'the Keyframe app',
  });
  // How services hear of each other's changes: explicit calls (the event bus is the renderer's).
  settings.onChange(() => {
    token.announce(); // the token's status names the API address
    price.forget(); // another API address may have another price
  });
  token.onChange((status) => {
    price.forget(); // another token may have another price
    if (status.state === 'set') jobs.tokenReplaced(); // a new token ends a pause caused by a refused one
  });
  if (options.followJobs !== false) await jobs.start();
  const storyboard = new StoryboardService({
    library: library.store,
    frames,
    jobs,
    price,
    events,
    log: options.log,
    mediaUrl: options.mediaUrl,
    platform: options.platform,
  });
  library.store.nameTakesWith(takeNamer(storyboard.boards));
  library.store.guardWritesWith(() => jobs.mustBeWritable('Nothing was changed.'));
  return {
    options,
    events,
    log: options.log,
    settings,
    frames,
    platform: options.platform,
    secrets,
    runcomfy,
    token,
    price,
    library,
    hosting,
    jobs,
    storyboard,
    media: {
      roots: () => ({ staging: stagingDir, library: library.store.dir }),
      thumbnail: (file) => thumbnails.of(file),
    },
    appInfo: () => ({
      name: 'Keyframe',
      version: options.version,
      shell: options.shell,
      platform: process.platform,
      userDataDir: options.userDataDir,
    }),
    close: async () => {
      storyboard.close();
      await jobs.stop();
      hosting.close();
      await library.close();
    },
  };
}
