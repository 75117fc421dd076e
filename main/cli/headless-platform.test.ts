import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headlessPlatform } from './headless-platform';

describe('the headless platform', () => {
  it('moves a folder into the freedesktop.org trash, with the record that lets it be restored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-headless-'));
    const job = join(dir, 'library', 'job-1');
    await mkdir(job, { recursive: true });
    await writeFile(join(job, 'video.mp4'), 'x');
    const platform = headlessPlatform(() => {}, { XDG_DATA_HOME: join(dir, 'data') }, 'linux');
    await platform.trashItem(job);
    expect(existsSync(job)).toBe(false);
    const [trashed] = await readdir(join(dir, 'data', 'Trash', 'files'));
    expect(existsSync(join(dir, 'data', 'Trash', 'files', trashed, 'video.mp4'))).toBe(true);
    expect(readFileSync(join(dir, 'data', 'Trash', 'info', `${trashed}.trashinfo`), 'utf8')).toContain(`Path=${encodeURI(job)}`);
  });

  it('refuses the trash where it has none, says notifications and links on stderr, and answers dialogs as cancelled', async () => {
    const said: string[] = [];
    const platform = headlessPlatform((line) => said.push(line), {}, 'darwin');
    await expect(platform.trashItem('/tmp/x')).rejects.toThrow(/cannot move files to the trash on this system/);
    platform.showNotification({ title: 'Your video is ready', body: 'a fox' });
    await platform.openExternal('https://www.runcomfy.com/profile');
    await expect(platform.openExternal('file:///etc/passwd')).rejects.toThrow();
    expect(said).toEqual(['Your video is ready: a fox', 'Open this address in your browser: https://www.runcomfy.com/profile']);
    expect(await platform.showOpenDialog({ title: 't', filters: [] })).toEqual([]);
    expect(await platform.showSaveDialog({ title: 't', defaultName: 'a.mp4', filters: [] })).toBeUndefined();
  });
});
