/**
 * The app's own services (createServices) on a temporary user-data folder, against the fake
 * RunComfy API over real HTTP, with real frame files; for the storyboard service tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { RecordingPlatform } from '../carrier/platform';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import type { FakeOptions, FakeRunComfy } from '../fake-runcomfy/server';
import { frame } from '../jobs/cli-harness';

export const TOKEN = 'rc_storyboard_test_token_4321';

export interface BoardRig {
  fake: FakeRunComfy;
  dir: string;
  platform: RecordingPlatform;
  services: Services;
  /** A new PNG of `colour` (640×360 unless told), staged as a picked frame; its id. */
  pick(colour: string, width?: number, height?: number): Promise<string>;
  /** Closes and opens the services again on the same folders (as after a restart), doing `between` while closed. */
  reopen(between?: () => void): Promise<Services>;
  close(): Promise<void>;
}

export async function boardRig(fakeOptions: FakeOptions = {}): Promise<BoardRig> {
  const fake = await startFakeRunComfy({
    tokens: [TOKEN],
    fetchImages: true,
    plan: { queuePositions: 0, stepMs: 20, progressMs: 20 },
    ...fakeOptions,
  });
  const dir = await mkdtemp(join(tmpdir(), 'kf-storyboard-'));
  const platform = new RecordingPlatform(join(dir, 'Trash'));
  const env: NodeJS.ProcessEnv = {
    RUNCOMFY_TOKEN: TOKEN,
    KEYFRAME_API_BASE_URL: fake.url,
    KEYFRAME_KEYCHAIN_SERVICE: `keyframe-test-board-${randomBytes(4).toString('hex')}`,
    HOME: dir,
  };
  const open = () =>
    createServices({
      userDataDir: join(dir, 'user-data'),
      shell: 'carrier',
      version: 'test',
      log: createLogger(() => {}),
      platform,
      mediaUrl: (root, path) => `/media/${root}/${path}`,
      env,
    });
  let count = 0;
  const rig: BoardRig = {
    fake,
    dir,
    platform,
    services: await open(),
    async pick(colour, width = 640, height = 360) {
      const path = await frame(dir, `frame-${count++}.png`, colour, width, height);
      const picked = await rig.services.frames.addPath(path);
      await rig.services.frames.staged(picked.id);
      return picked.id;
    },
    async reopen(between) {
      await rig.services.close();
      between?.();
      rig.services = await open();
      return rig.services;
    },
    async close() {
      await rig.services.close();
      await fake.close();
    },
  };
  return rig;
}
