/**
 * The token never leaves main's memory and the keychain: not in log lines, not in any result,
 * error or event that crosses the contract, not in settings.json or any other file Keyframe
 * writes. Real services, real keychain, the fake API (which is scripted to echo the token back).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { createDispatcher } from '../../ipc/dispatcher';
import { createHandlers } from '../../ipc/handlers';
import { createServices } from '..';
import type { Services } from '..';
import { createLogger } from '../log';
import { mediaUrlFor } from '../media';

const TOKEN = `rc_secret_${randomUUID().replaceAll('-', '')}`;
const WRONG = `rc_wrong_${randomUUID().replaceAll('-', '')}`;

describe('the API token stays secret', () => {
  let fake: FakeRunComfy;
  let services: Services;
  let userDataDir: string;
  const lines: string[] = [];
  const events: unknown[] = [];
  const answers: unknown[] = [];

  beforeAll(async () => {
    fake = await startFakeRunComfy({ tokens: [TOKEN] });
    userDataDir = await mkdtemp(join(tmpdir(), 'kf-secrecy-'));
    const log = createLogger((line) => lines.push(line));
    services = await createServices({
      userDataDir,
      shell: 'carrier',
      version: 'test',
      log,
      platform: new RecordingPlatform(join(userDataDir, 'Trash')),
      mediaUrl: mediaUrlFor('/media/'),
      env: { KEYFRAME_KEYCHAIN_SERVICE: `Keyframe test ${randomUUID()}`, KEYFRAME_API_BASE_URL: fake.url, HOME: userDataDir },
    });
    services.events.listen((name, payload) => events.push({ name, payload }));
    const dispatch = createDispatcher(createHandlers(services), { log, checkResults: true });
    const call = async (channel: string, ...args: unknown[]) => {
      const result = await dispatch(channel, args, { trusted: true });
      answers.push(result);
      return result;
    };

    await call('token:save', WRONG);
    await call('token:save', ` ${TOKEN}\n`);
    await call('token:status');
    await call('token:verify');
    // RunComfy answers with the token in its error text; the errors must not repeat it.
    fake.script('status', { respond: 401, body: { detail: `token ${TOKEN} was revoked` } });
    await call('token:verify');
    fake.script('status', { respond: 500, body: { error: `internal error for ${TOKEN}` } }, 4);
    await call('token:save', TOKEN);
    await call('token:save', TOKEN);
    fake.script('submit', { respond: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: `echo ${TOKEN}` }] } });
    await services.runcomfy
      .submit({ prompt: 'p', start_image_url: 'https://x/a.png', end_image_url: 'https://x/b.png' })
      .catch((error: unknown) => answers.push({ message: (error as Error).message, details: (error as { details?: unknown }).details }));
    await call('settings:set', { apiBaseUrl: fake.url });
    await call('settings:get');
    await call('app:info');
    await call('token:openTokenPage');
    services.log.error('probe', `a careless line with ${TOKEN} and ${WRONG}`, new Error(`Bearer ${TOKEN}`));
  });

  afterAll(async () => {
    await services.secrets.delete(services.token.account);
    await fake.close();
  });

  it('the flow really ran: the token was verified, kept, and refused later', () => {
    expect(answers[1]).toMatchObject({ ok: true, value: { state: 'set', source: 'keychain' } });
    expect(answers[4]).toMatchObject({ ok: false, error: { code: 'bad_token' } });
    expect(events.some((event) => (event as { payload: { state?: string } }).payload.state === 'invalid')).toBe(true);
  });

  it('is in no answer, error or event that crosses the contract', () => {
    const crossed = JSON.stringify([answers, events]);
    expect(crossed).not.toContain(TOKEN);
    expect(crossed).not.toContain(WRONG);
  });

  it('is in no log line (the logger redacts it)', () => {
    expect(lines.join('\n')).toContain('[redacted]');
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(WRONG);
    }
  });

  it('is in no file Keyframe wrote, settings.json included', async () => {
    const files = (await readdir(userDataDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.map((file) => file.name)).toContain('settings.json');
    for (const file of files) {
      const text = await readFile(join(file.parentPath, file.name), 'latin1');
      expect(text, file.name).not.toContain(TOKEN);
    }
  });

  it('is in the keychain, where it belongs', async () => {
    expect(await services.secrets.get(services.token.account)).toBe(TOKEN);
  });
});
