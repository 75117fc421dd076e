/**
 * How createServices wires the client: the API address follows KEYFRAME_API_BASE_URL, then
 * Settings, then RunComfy, live; and the renderer is told where the token goes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../contract';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { createServices } from '..';
import type { Services } from '..';
import { createLogger } from '../log';
import { mediaUrlFor } from '../media';

const TOKEN = 'rc_wiring_token_1234';
const opened: { fakes: FakeRunComfy[]; services: Services[] } = { fakes: [], services: [] };

async function fake() {
  const server = await startFakeRunComfy({ tokens: [TOKEN] });
  opened.fakes.push(server);
  return server;
}

async function services(env: NodeJS.ProcessEnv) {
  const dir = await mkdtemp(join(tmpdir(), 'kf-wiring-'));
  const built = await createServices({
    userDataDir: dir,
    shell: 'carrier',
    version: 'test',
    log: createLogger(() => {}),
    platform: new RecordingPlatform(join(dir, 'Trash')),
    mediaUrl: mediaUrlFor('/media/'),
    env: { HOME: dir, KEYFRAME_KEYCHAIN_SERVICE: `Keyframe test ${randomUUID()}`, RUNCOMFY_TOKEN: TOKEN, ...env },
  });
  opened.services.push(built);
  return built;
}

afterEach(async () => {
  for (const server of opened.fakes.splice(0)) await server.close();
  for (const built of opened.services.splice(0)) await built.close();
});

describe('the API address', () => {
  it('comes from Settings when the environment does not set it, and changes live', async () => {
    const [first, second] = [await fake(), await fake()];
    const app = await services({});
    expect(app.token.status().api).toEqual({ url: 'https://model-api.runcomfy.net', source: 'default' });
    const told: EventPayload<'token:changed'>[] = [];
    app.events.listen((name, payload) => name === 'token:changed' && told.push(payload as EventPayload<'token:changed'>));

    await app.settings.set({ apiBaseUrl: first.url });
    expect(told.at(-1)?.api).toEqual({ url: first.url, source: 'settings' });
    await app.runcomfy.status('x').catch(() => undefined);
    await app.settings.set({ apiBaseUrl: second.url });
    await app.runcomfy.status('x').catch(() => undefined);
    expect([first.count('status'), second.count('status')]).toEqual([1, 1]);
  });

  it('KEYFRAME_API_BASE_URL wins over Settings', async () => {
    const [fromEnv, fromSettings] = [await fake(), await fake()];
    const app = await services({ KEYFRAME_API_BASE_URL: fromEnv.url });
    await app.settings.set({ apiBaseUrl: fromSettings.url });
    expect(app.token.status().api).toEqual({ url: fromEnv.url, source: 'env' });
    await expect(app.runcomfy.status('x')).rejects.toMatchObject({ code: 'not_found' });
    expect([fromEnv.count('status'), fromSettings.count('status')]).toEqual([1, 0]);
  });
});
