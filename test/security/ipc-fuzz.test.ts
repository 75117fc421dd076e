/**
 * Throws random argument shapes at every contract method of the real services. Main must answer
 * each with a Result (never throw, never hang), and anything that does not fit the schema must be
 * refused as `invalid_argument` before a service sees it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methodNames, methods } from '../../main/contract';
import { createDispatcher } from '../../main/ipc/dispatcher';
import { createHandlers } from '../../main/ipc/handlers';
import { createServices } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from '../carrier/platform';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 8 : 11));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return Math.floor(rand() * 2 ** 40) - 2 ** 39;
    case 3:
      return [NaN, Infinity, -0, 1e308, 0.5][Math.floor(rand() * 5)];
    case 4:
      return ['', 'a', '../../etc/passwd', 'x'.repeat(5000), '\u0000', '𝔘𝔫𝔦', 'https://evil.example/', 'data:text/html,<script>'][
        Math.floor(rand() * 8)
      ];
    case 5:
      return rand() < 0.5;
    case 6:
      return ['__proto__', 'constructor', 'toString'][Math.floor(rand() * 3)];
    case 7:
      return { length: Math.floor(rand() * 5) };
    case 8:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rand() * 4); i++)
        object[['id', 'theme', 'path', 'prompt', 'duration', 'x', '__proto__'][Math.floor(rand() * 7)]] = randomValue(rand, depth + 1);
      return object;
    }
  }
}

describe('IPC fuzz against the real services', () => {
  it('answers every random call to every method with a Result, refusing what breaks the schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-fuzz-'));
    const services = await createServices({
      userDataDir: dir,
      shell: 'carrier',
      version: 'fuzz',
      log: createLogger(() => {}),
      platform: new RecordingPlatform(join(dir, 'T')),
      mediaUrl: mediaUrlFor('/media/'),
      env: {},
    });
    const dispatch = createDispatcher(createHandlers(services), { log: createLogger(() => {}) });
    const rand = seeded(20261128);
    let refused = 0;
    for (const name of methodNames) {
      for (let i = 0; i < 150; i++) {
        const args = rand() < 0.7 ? Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(rand)) : randomValue(rand);
        const valid = methods[name].args.safeParse(args).success;
        const result = await Promise.race([
          dispatch(name, args, { trusted: true }),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} hung`)), 5000)),
        ]);
        expect(result).toHaveProperty('ok');
        const r = result as { ok: boolean; error?: { code: string } };
        if (!valid) {
          expect(r, `${name} ${JSON.stringify(args)?.slice(0, 200)}`).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
          refused++;
        } else if (!r.ok) {
          expect(r.error?.code).not.toBe('internal');
        }
      }
    }
    expect(refused).toBeGreaterThan(methodNames.length * 50);

    // From a frame or origin other than the app's own: refused before the arguments are looked at.
    const calls: string[] = [];
    const stopWatching = services.events.listen((name) => calls.push(name));
    for (const name of methodNames) {
      for (const args of [[], [{}], ['x', 'y'], randomValue(rand)]) {
        const result = await dispatch(name, args, { trusted: false });
        expect(result, name).toEqual({
          ok: false,
          error: { code: 'forbidden', message: 'This call did not come from the Keyframe window and was refused.' },
        });
      }
    }
    expect(calls).toEqual([]); // and nothing happened because of them
    stopWatching();
    await services.close();
  });
});
