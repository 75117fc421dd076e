import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from './events';
import { createLogger } from './log';
import { SettingsStore } from './settings';

describe('SettingsStore', () => {
  let dir: string;
  const lines: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kf-settings-'));
  });

  it('starts from defaults, saves changes to disk and announces them', async () => {
    const events = new EventBus();
    const seen: unknown[] = [];
    events.listen((name, payload) => seen.push([name, payload]));
    const store = new SettingsStore(
      dir,
      events,
      createLogger((l) => lines.push(l)),
    );
    expect(await store.load()).toMatchObject({ theme: 'system', defaultDuration: 5, apiBaseUrl: '' });
    await store.set({ theme: 'dark', defaultDuration: 10 });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ theme: 'dark', defaultDuration: 10 });
    expect(seen).toMatchObject([['settings:changed', { theme: 'dark', defaultDuration: 10, apiBaseUrl: '' }]]);
    const again = new SettingsStore(
      dir,
      new EventBus(),
      createLogger(() => {}),
    );
    expect((await again.load()).theme).toBe('dark');
  });

  it('keeps a damaged file aside, starts from defaults and logs where the copy is', async () => {
    await writeFile(join(dir, 'settings.json'), '{"theme": "dark", oops');
    const log: string[] = [];
    const store = new SettingsStore(
      dir,
      new EventBus(),
      createLogger((l) => log.push(l)),
    );
    expect((await store.load()).theme).toBe('system');
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('settings.json.damaged-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toContain('oops');
    expect(log.join('\n')).toContain(aside!);
  });

  it('treats a file with wrong values as damaged rather than crashing', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ theme: 42 }));
    const store = new SettingsStore(
      dir,
      new EventBus(),
      createLogger(() => {}),
    );
    expect((await store.load()).theme).toBe('system');
  });

  it('serialises concurrent writes so the last one wins on disk', async () => {
    const store = new SettingsStore(
      dir,
      new EventBus(),
      createLogger(() => {}),
    );
    await store.load();
    await Promise.all([store.set({ theme: 'light' }), store.set({ theme: 'dark' }), store.set({ defaultDuration: 10 })]);
    const disk = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'));
    expect(disk).toEqual(store.get());
    expect(disk.defaultDuration).toBe(10);
  });

  it('changes only the nested fields a patch names (hosting.s3)', async () => {
    const store = new SettingsStore(
      dir,
      new EventBus(),
      createLogger(() => {}),
    );
    await store.load();
    await store.set({ hosting: { s3: { bucket: 'frames', endpoint: 'https://s3.example.com' } } });
    await store.set({ hosting: { s3: { pathStyle: true } } });
    await store.set({ hosting: { mode: 'inline' } });
    const again = new SettingsStore(
      dir,
      new EventBus(),
      createLogger(() => {}),
    );
    expect((await again.load()).hosting).toEqual({
      mode: 'inline',
      s3: {
        endpoint: 'https://s3.example.com',
        region: 'us-east-1',
        bucket: 'frames',
        prefix: 'keyframe',
        pathStyle: true,
        accessKeyId: '',
        urlLifetimeHours: 24,
      },
    });
  });
});
