/**
 * What one submit costs before its request leaves: the real runner, library and client against
 * the fake API, frames sent inline (the default host). Counts, from the call to `submit` until
 * the request is handed to the client, how often each frame file is read, how many sha256 digests
 * are taken, and how many library writes (a row plus job.json each) happen. The aim (issue 14):
 * each frame read and hashed once, the job written once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../main/services/events';
import { dataUriHost } from '../main/services/hosting/data-uri-host';
import { LibraryStore } from '../main/services/library/store';
import { createLogger } from '../main/services/log';
import { mediaUrlFor } from '../main/services/media';
import { JobRunner } from '../main/services/jobs/runner';
import { createRunComfyClient } from '../main/services/runcomfy/client';
import { frameFile } from '../test/faults/rig';
import { startFakeRunComfy } from '../test/fake-runcomfy/server';
import type { Benchmark, Figure } from './figure';

const TOKEN = 'bench-submit-io-token-1234';

const run: Benchmark = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kf-submit-io-'));
  const fake = await startFakeRunComfy({ tokens: [TOKEN] });
  const events = new EventBus();
  const log = createLogger(() => {});
  const store = await LibraryStore.open({
    dir: join(dir, 'library'),
    log,
    events,
    mediaUrl: mediaUrlFor('/media/'),
    trash: async () => {},
  });
  const client = createRunComfyClient({ baseUrl: fake.url, getToken: () => TOKEN, log });
  const runner = new JobRunner({ store, client, hosting: dataUriHost, events, log });
  const start = await frameFile(dir, 'start.png', '#c33');
  const end = await frameFile(dir, 'end.png', '#33c');
  const framePaths = new Set([start.path, end.path]);

  let counting = false;
  const counts = { reads: 0, hashes: 0, writes: 0 };
  const stopListening = events.listen((name) => {
    if (counting && name === 'library:changed') counts.writes++;
  });
  const original = { readFile: fsp.readFile, createReadStream: fs.createReadStream, createHash: crypto.createHash };
  const isFrame = (path: unknown) => typeof path === 'string' && framePaths.has(path);
  fsp.readFile = ((path: Parameters<typeof fsp.readFile>[0], ...rest: unknown[]) => {
    if (counting && isFrame(path)) counts.reads++;
    return (original.readFile as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fsp.readFile;
  fs.createReadStream = ((path: fs.PathLike, ...rest: unknown[]) => {
    if (counting && isFrame(path)) counts.reads++;
    return (original.createReadStream as (...args: unknown[]) => fs.ReadStream)(path, ...rest);
  }) as typeof fs.createReadStream;
  crypto.createHash = ((algorithm: string, ...rest: unknown[]) => {
    if (counting && algorithm === 'sha256') counts.hashes++;
    return (original.createHash as (...args: unknown[]) => crypto.Hash)(algorithm, ...rest);
  }) as typeof crypto.createHash;
  syncBuiltinESMExports();
  const submit = client.submit.bind(client);
  let atSend = { ...counts };
  client.submit = (...args) => {
    atSend = { ...counts };
    counting = false;
    return submit(...args);
  };

  try {
    await runner.start();
    counting = true;
    await runner.submit({ prompt: 'From @Image1 to @Image2', duration: 5, start, end });
  } finally {
    Object.assign(fsp, { readFile: original.readFile });
    Object.assign(fs, { createReadStream: original.createReadStream });
    Object.assign(crypto, { createHash: original.createHash });
    syncBuiltinESMExports();
    stopListening();
    await runner.stop();
    await store.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
  const figure = (name: string, value: number, target: number): Figure => ({
    name,
    value,
    unit: 'count',
    target: `${target}`,
    meetsTarget: value <= target,
  });
  return [
    figure('frame file reads before the request leaves (2 frames, inline)', atSend.reads, 2),
    figure('sha256 digests before the request leaves (2 frames, inline)', atSend.hashes, 2),
    figure('library writes (row + job.json) before the request leaves', atSend.writes, 1),
  ];
};

export default run;
