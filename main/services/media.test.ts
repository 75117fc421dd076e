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
  ])('refuses %j', async (requested) => {
    expect(await resolveMediaPath(roots, requested)).toBeUndefined();
  });

  it('allows a symlink that stays inside its root only', async () => {
    // staging/inside-link.mp4 points into the library, which is a different root: refused.
    expect(await resolveMediaPath(roots, 'staging/inside-link.mp4')).toBeUndefined();
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
