/** The shared check (the file is still the checked file) and the two hosts that need no server. */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFrame, sha256 } from '../../../test/s3/frames';
import { AppError } from '../../contract';
import { dataUriHost } from './data-uri-host';
import { extensionFor, verifyOnDisk } from './frame';
import { urlHost } from './url-host';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-frame-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as AppError,
  );

describe('dataUriHost', () => {
  it('carries the exact bytes with the frame’s type', async () => {
    const frame = await makeFrame(dir, 'start.jpg', { size: 400, format: 'jpeg' });
    const hosted = await dataUriHost.host(frame);
    expect(hosted.host).toBe('data-uri');
    const [head, body] = hosted.url.split(',');
    expect(head).toBe('data:image/jpeg;base64');
    expect(sha256(Buffer.from(body, 'base64'))).toBe(frame.sha256);
  });

  it('refuses a file that changed or vanished since it was picked', async () => {
    const frame = await makeFrame(dir, 'start.png', { size: 400 });
    await writeFile(frame.path, 'something else');
    expect(await rejection(dataUriHost.host(frame))).toMatchObject({ code: 'hosting', details: { problem: 'frame-changed' } });
    await unlink(frame.path);
    expect(await rejection(dataUriHost.host(frame))).toMatchObject({ code: 'hosting', details: { problem: 'frame-missing' } });
  });
});

describe('verifyOnDisk', () => {
  it('passes the checked file and names the frame when it is not', async () => {
    const frame = await makeFrame(dir, 'end.png', { size: 400 });
    await expect(verifyOnDisk(frame)).resolves.toBeUndefined();
    const renamed = { ...frame, name: 'sunset.png', sha256: '0'.repeat(64) };
    const error = await rejection(verifyOnDisk(renamed));
    expect(error).toBeInstanceOf(AppError);
    expect(error!.message).toMatch(/^The frame “sunset.png” changed on disk/);
  });
});

describe('urlHost', () => {
  it('sends a picked http(s) address unchanged, and nothing else', async () => {
    const frame = { path: '', sha256: '', mime: 'image/png', bytes: 1, sourceUrl: 'https://cdn.example.com/a.png?v=2' };
    expect(await urlHost.host(frame)).toEqual({ url: 'https://cdn.example.com/a.png?v=2', host: 'url' });
    expect(await rejection(urlHost.host({ ...frame, sourceUrl: 'file:///etc/passwd' }))).toMatchObject({ code: 'invalid_input' });
  });
});

describe('extensionFor', () => {
  it('maps the model’s image types', () => {
    expect(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'].map(extensionFor)).toEqual([
      'jpg',
      'png',
      'webp',
      'gif',
      'avif',
    ]);
  });
});
