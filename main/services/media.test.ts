import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPathInside, mediaUrlFor, resolveMediaPath } from './media';

describe('resolveMediaPath', () => {
  let base: string;
  let roots: Record<string, string>;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'kf-media-'));
    await mkdir(join(base, 'library', 'job-1'), { recursive: true });
    await mkdir(join(base, 'library-evil'), { recursive: true });
    await mkdir(join(base, 'staging'), { recursive: true });
    await writeFile(join(base, 'library', 'job-1', 'video.mp4'), 'v');
    await writeFile(join(base, 'library', 'job-1', 'café.png'), 'c');
    await writeFile(join(base, 'library-evil', 'x.txt'), 'x');
    await writeFile(join(base, 'secret.txt'), 's');
    await writeFile(join(base, 'staging', 'frame.png'), 'f');
    await symlink(join(base, 'secret.txt'), join(base, 'library', 'job-1', 'link.txt'));
    await symlink(join(base, 'library', 'job-1', 'video.mp4'), join(base, 'staging', 'inside-link.mp4'));
    // A job "folder" that is a link to a folder outside the library.
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'private.txt'), 'p');
    await symlink(join(base, 'outside'), join(base, 'library', 'job-2'));
    roots = { library: join(base, 'library'), staging: join(base, 'staging') };
  });

  it('serves files inside a root', async () => {
    expect(await resolveMediaPath(roots, 'library/job-1/video.mp4')).toBe(join(base, 'library', 'job-1', 'video.mp4'));
    expect(await resolveMediaPath(roots, 'staging/frame.png')).toBe(join(base, 'staging', 'frame.png'));
  });

  it('finds names with unicode in either normal form', async () => {
    expect(await resolveMediaPath(roots, 'library/job-1/café.png')).toBeDefined();
    expect(await resolveMediaPath(roots, 'library/job-1/cafe\u0301.png')).toBeDefined();
  });

  it.each([
    'library/../secret.txt',
    'library/job-1/../../secret.txt',
    '../secret.txt',
    'library/%2e%2e/secret.txt',
    'library/..%2fsecret.txt',
    'library\\..\\secret.txt',
    `library/${'x'}\0.png`,
    '/etc/passwd',
    'library//etc/passwd',
    'unknown/file',
    'library',
    'library/',
    'library/job-1',
    'library/job-1/link.txt',
    'library/job-1/missing.mp4',
    '__proto__/x',
    'constructor/x',
    'library/../library-evil/x.txt',
    'library/\u2025/secret.txt',
    'library/\uff0e\uff0e/secret.txt',
    'library/job-2/private.txt',
    'library/job-1/\u202evideo.mp4',
    'library/job-1/video.mp4\u200b',
  ])('refuses %j', async (requested) => {
    expect(await resolveMediaPath(roots, requested)).toBeUndefined();
  });

  it('refuses an absolute path written after the root', async () => {
    expect(await resolveMediaPath(roots, `library/${join(base, 'secret.txt')}`)).toBeUndefined();
    expect(await resolveMediaPath(roots, `library/${join(base, 'library', 'job-1', 'video.mp4')}`)).toBeUndefined();
  });

  it('allows a symlink that stays inside its root only', async () => {
    // staging/inside-link.mp4 points into the library, which is a different root: refused.
    expect(await resolveMediaPath(roots, 'staging/inside-link.mp4')).toBeUndefined();
  });
});

describe('the app:// scheme (Electron serves the built renderer with the same rule)', () => {
  it('serves the page and its assets, and nothing beside them', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kf-app-'));
    await mkdir(join(base, 'renderer', 'assets'), { recursive: true });
    await mkdir(join(base, 'main'));
    await writeFile(join(base, 'renderer', 'index.html'), '<!doctype html>');
    await writeFile(join(base, 'renderer', 'assets', 'index.js'), '');
    await writeFile(join(base, 'main', 'index.js'), '');
    const app = { renderer: join(base, 'renderer') };
    expect(await resolveMediaPath(app, 'renderer/index.html')).toBe(join(base, 'renderer', 'index.html'));
    expect(await resolveMediaPath(app, 'renderer/assets/index.js')).toBeDefined();
    for (const path of ['renderer/../main/index.js', 'renderer/%2e%2e/main/index.js', 'renderer/', 'main/index.js', 'renderer/assets']) {
      expect(await resolveMediaPath(app, path), path).toBeUndefined();
    }
  });
});

describe('isPathInside', () => {
  it('is not fooled by a shared prefix', () => {
    expect(isPathInside('/a/library', '/a/library-evil/x')).toBe(false);
    expect(isPathInside('/a/library', '/a/library/x')).toBe(true);
    expect(isPathInside('/a/library', '/a/x/../library/y')).toBe(true);
  });
});

describe('mediaUrlFor', () => {
  it('encodes each path segment', () => {
    expect(mediaUrlFor('/media/')('library', 'job 1/a#b?.mp4')).toBe('/media/library/job%201/a%23b%3F.mp4');
  });
});
