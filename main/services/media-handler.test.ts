/** The one file server, hit with Node's own `Request` the way Electron's protocol handlers and the carrier call it. */
import { mkdir, mkdtemp, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharp } from './image-engine';
import { mediaUrlFor, thumbnailOf } from './media';
import { createMediaHandler, createRendererHandler, fileResponse, parseRange } from './media-handler';
import type { Handler } from './media-handler';
import { THUMBNAIL_SIDE, Thumbnails } from './thumbnails';

const VIDEO = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let base: string;
let electron: Handler;
let carrier: Handler;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kf-handler-'));
  await mkdir(join(base, 'library', 'job 1'), { recursive: true });
  await mkdir(join(base, 'staging'));
  await mkdir(join(base, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(base, 'library', 'job 1', 'vidéo.mp4'), VIDEO);
  await writeFile(join(base, 'staging', 'empty.png'), '');
  await writeFile(join(base, 'staging', 'broken.png'), 'not a PNG at all');
  await sharp({ create: { width: 2400, height: 1350, channels: 3, background: '#3a6' } })
    .png()
    .toFile(join(base, 'library', 'job 1', 'start.png'));
  await writeFile(join(base, 'secret.txt'), 'token');
  await symlink(join(base, 'secret.txt'), join(base, 'staging', 'innocent.png'));
  await writeFile(join(base, 'renderer', 'index.html'), '<!doctype html>');
  await writeFile(join(base, 'renderer', 'assets', 'app.js'), 'export {}');
  const roots = () => ({ library: join(base, 'library'), staging: join(base, 'staging') });
  const thumbnails = new Thumbnails(join(base, 'thumbnails'));
  const media = { roots, thumbnail: (file: string) => thumbnails.of(file) };
  electron = createMediaHandler(media, { prefix: 'keyframe-media://', allowOrigin: 'app://keyframe' });
  carrier = createMediaHandler(media, { prefix: '/media/' });
});

const video = mediaUrlFor('keyframe-media://')('library', 'job 1/vidéo.mp4');
const get = (handler: Handler, url: string, headers: Record<string, string> = {}, method = 'GET') =>
  handler(new Request(url, { method, headers }));

describe('the media handler', () => {
  it('serves a whole file: 200 with type, length, Accept-Ranges, our page as the one CORS origin', async () => {
    const response = await get(electron, video);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': '1000',
      'accept-ranges': 'bytes',
      'access-control-allow-origin': 'app://keyframe',
    });
    expect(Buffer.from(await response.arrayBuffer()).equals(VIDEO)).toBe(true);
  });

  it.each([
    ['bytes=100-199', 100, 199],
    ['bytes=900-', 900, 999],
    ['bytes=-10', 990, 999],
    ['bytes=990-5000', 990, 999],
  ])('answers Range %s with 206 and exactly those bytes (what <video> seeking asks)', async (range, start, end) => {
    const response = await get(electron, video, { range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await response.arrayBuffer()).equals(VIDEO.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])('answers an unsatisfiable Range %s with 416 and the real size', async (range) => {
    const response = await get(electron, video, { range });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('ignores a Range it does not serve (several ranges, another unit) and sends the whole file', async () => {
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3']) expect((await get(electron, video, { range })).status).toBe(200);
  });

  it('answers HEAD with the headers and no body, GET only otherwise', async () => {
    const head = await get(electron, video, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect((await get(electron, video, { range: 'bytes=0-9' }, 'HEAD')).headers.get('content-range')).toBe('bytes 0-9/1000');
    expect((await get(electron, video, {}, 'POST')).status).toBe(405);
  });

  it('serves an empty file as 200 with length 0', async () => {
    const response = await get(carrier, 'http://127.0.0.1:1/media/staging/empty.png');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('0');
  });

  it('serves the same files at the carrier’s address, built by the same mediaUrlFor', async () => {
    const address = `http://127.0.0.1:1${mediaUrlFor('/media/')('library', 'job 1/vidéo.mp4')}`;
    const response = await get(carrier, address, { range: 'bytes=0-3' });
    expect(response.status).toBe(206);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['a parent-folder escape', 'keyframe-media://library/..%2F..%2Fsecret.txt'],
    ['an encoded dot-dot', 'keyframe-media://staging/%2e%2e/secret.txt'],
    ['a root that does not exist', 'keyframe-media://secrets/secret.txt'],
    ['a symlink inside staging that points outside it', 'keyframe-media://staging/innocent.png'],
    ['a bad escape', 'keyframe-media://staging/%E0%A4%A'],
  ])('refuses %s', async (_what, url) => {
    const response = await get(electron, url);
    expect([400, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('token');
  });

  it('serves an image’s thumbnail for ?thumbnail: a WebP at most THUMBNAIL_SIDE wide, for our page only', async () => {
    const start = mediaUrlFor('keyframe-media://')('library', 'job 1/start.png');
    const response = await get(electron, thumbnailOf(start));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('access-control-allow-origin')).toBe('app://keyframe');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', THUMBNAIL_SIDE, 360]);
    const whole = await get(electron, start);
    expect([whole.headers.get('content-type'), (await sharp(Buffer.from(await whole.arrayBuffer())).metadata()).width]).toEqual([
      'image/png',
      2400,
    ]);
  });

  it('serves the file itself for ?thumbnail when it is no image, or an image that cannot be read', async () => {
    const clip = await get(electron, thumbnailOf(video), { range: 'bytes=0-9' });
    expect([clip.status, clip.headers.get('content-type')]).toEqual([206, 'video/mp4']);
    const broken = await get(carrier, `http://127.0.0.1:1${thumbnailOf(mediaUrlFor('/media/')('staging', 'broken.png'))}`);
    expect([broken.status, await broken.text()]).toEqual([200, 'not a PNG at all']);
  });

  it('confines ?thumbnail by the same rule: nothing outside the roots is read, even to make a thumbnail', async () => {
    for (const url of ['keyframe-media://staging/innocent.png?thumbnail', 'keyframe-media://library/..%2F..%2Fsecret.txt?thumbnail']) {
      const response = await get(electron, url);
      expect([400, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('token');
    }
  });

  it('answers 404 for a file that went after its address was checked (a replaced keyframe), and throws nothing', async () => {
    const gone = join(base, 'staging', 'replaced.png');
    for (const method of ['GET', 'HEAD']) expect((await fileResponse(new Request(video, { method }), gone)).status).toBe(404);
  });

  it('leaves no file open, whether a body is read whole, dropped half way, or not sent', async () => {
    const file = join(base, 'library', 'job 1', 'vidéo.mp4');
    const openCopies = async () => {
      const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return links.filter((link) => link === file).length;
    };
    for (let i = 0; i < 20; i++) {
      await (await get(electron, video)).arrayBuffer();
      await (await get(electron, video, { range: 'bytes=0-9' })).body?.cancel();
      await get(electron, video, {}, 'HEAD');
      await get(electron, video, { range: 'bytes=5000-' });
    }
    await expect.poll(openCopies).toBe(0);
  });

  it('answers only addresses under its own prefix', async () => {
    expect((await get(carrier, 'http://127.0.0.1:1/other/library/job%201/vid%C3%A9o.mp4')).status).toBe(404);
  });
});

describe('the renderer handler (app://keyframe/ in Electron, / in the carrier)', () => {
  it('serves the page and its assets with their types, and only under its prefix', async () => {
    const app = createRendererHandler({ rendererDir: join(base, 'renderer'), prefix: 'app://keyframe/' });
    const index = await get(app, 'app://keyframe/');
    expect([index.status, index.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await get(app, 'app://keyframe/assets/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get(app, 'app://evil/index.html')).status).toBe(404);
    expect((await get(app, 'app://keyframe/..%2Fsecret.txt')).status).toBe(404);
    expect((await get(app, 'app://keyframe/../secret.txt')).status).toBe(404);
  });
});

describe('parseRange', () => {
  it('reads one byte range against the file size', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange(null, 10)).toBeUndefined();
    expect(parseRange('bytes=-', 10)).toBeUndefined();
  });
});
