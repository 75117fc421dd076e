/**
 * Generates a library for tests, benchmarks and the demo: varied prompts from a word list,
 * statuses, durations, dates over a year, some favourites. Deterministic for a given seed.
 *
 * How much is real is chosen per job:
 *   - `full`   (the newest `full` jobs): made through the storage API like the Jobs runner would:
 *              real PNG frames, the real H.264 clip as the video, no poster (the gallery makes one);
 *   - `linked` (the rest, unless `indexOnly`): a real folder with job.json, frames, video and a
 *              poster, hard-linked to shared files so 10,000 jobs take seconds and no space;
 *   - `indexOnly`: rows in the index only, no folders (for the 100,000-job query benchmarks).
 * Completed jobs carry the cost RunComfy would report (`seededCost`).
 */
import { copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sharp } from '../../main/services/image-engine';
import { EventBus } from '../../main/services/events';
import { LibraryStore } from '../../main/services/library';
import type { JobRecord } from '../../main/services/library';
import { openDatabase } from '../../main/services/library/database';
import { DB_FILE, MANIFEST_FILE, jobDir, newJobId } from '../../main/services/library/layout';
import { MANIFEST_FORMAT } from '../../main/services/library/manifest';
import { writeRowsInBulk } from '../../main/services/library/rows';
import { createLogger } from '../../main/services/log';
import type { JobStatus } from '../../main/contract';
import { fakeCostUsd } from '../fake-runcomfy/pricing';

export const CLIP = resolve(import.meta.dirname, '../fixtures/video/clip-5s.mp4');

export interface SeedOptions {
  count: number;
  /** How many of the newest jobs go through the real storage API with real files (default 0). */
  full?: number;
  /** No folders at all for the others: index rows only. */
  indexOnly?: boolean;
  seed?: number;
  /** The newest job's time; the others spread back over `spanDays`. */
  now?: Date;
  spanDays?: number;
}

export interface SeedResult {
  /** Newest first. */
  jobs: { id: string; prompt: string; status: JobStatus; duration: 5 | 10; favourite: boolean; createdAt: string }[];
  ms: number;
}

const subjects = [
  'a red fox',
  'an old lighthouse keeper',
  'a paper boat',
  'two astronauts',
  'a hummingbird',
  'a vintage tram',
  'a glass jellyfish',
  'a street musician',
  'a snow leopard',
  'a tiny robot',
  'a sailing ship',
  'a bonsai tree',
  'a koi fish',
  'a neon cat',
  'a violinist',
  'a hot air balloon',
  'an origami crane',
  'a desert caravan',
  'a steam locomotive',
  'a café owner',
];
const actions = [
  'walks slowly through',
  'drifts gently across',
  'dances in',
  'turns to face the camera in',
  'runs toward the horizon of',
  'floats above',
  'waits patiently in',
  'glides over',
  'spins around in',
  'wakes up in',
];
const places = [
  'a snowy pine forest',
  'a rain-soaked Tokyo street',
  'a golden wheat field',
  'an underwater coral garden',
  'a foggy harbour',
  'a sunlit cathedral',
  'a neon night market',
  'the surface of the moon',
  'a misty mountain valley',
  'a quiet library at dusk',
  'a field of lavender',
  'a frozen lake',
];
const cameras = [
  'the camera pans left',
  'slow dolly in',
  'aerial tracking shot',
  'handheld close-up',
  'static wide shot',
  'the camera orbits slowly',
  'rack focus to the background',
  'time-lapse clouds overhead',
];
const styles = [
  'cinematic lighting',
  'soft pastel colours',
  'film grain',
  'golden hour',
  'moody blue tones',
  'hyper-real detail',
  'watercolour look',
];
const failures = [
  'The image at start_image_url could not be fetched.',
  'Content policy: the prompt was refused.',
  'Internal error while generating the video. Please retry.',
];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickStatus(r: number): JobStatus {
  if (r < 0.78) return 'completed';
  if (r < 0.88) return 'failed';
  if (r < 0.93) return 'cancelled';
  if (r < 0.96) return 'running';
  if (r < 0.98) return 'queued';
  return r < 0.99 ? 'submit_unknown' : 'submitting';
}

/** A frame-like image: a gradient sky and a sun that moves between the start and the end frame. */
export async function renderFrame(hue: number, sunAt: number, width = 640, height = 360): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,38%)"/><stop offset="1" stop-color="hsl(${(hue + 50) % 360},80%,72%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${Math.round(width * sunAt)}" cy="${Math.round(height * 0.42)}" r="${Math.round(height * 0.14)}" fill="hsl(${(hue + 180) % 360},90%,85%)"/>
    <path d="M0 ${height * 0.78} Q ${width * 0.3} ${height * 0.62} ${width * 0.6} ${height * 0.76} T ${width} ${height * 0.7} V ${height} H 0 Z" fill="hsl(${hue},40%,18%)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function seedLibrary(dir: string, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const rand = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const now = (options.now ?? new Date()).getTime();
  const span = (options.spanDays ?? 365) * 86_400_000;
  const specs: SeedResult['jobs'] = [];
  let at = now;
  for (let i = 0; i < options.count; i++) {
    const prompt = `${pick(subjects)} ${pick(actions)} ${pick(places)}, ${pick(cameras)}, ${pick(styles)}`;
    const status = i < (options.full ?? 0) ? (rand() < 0.85 ? 'completed' : 'failed') : pickStatus(rand());
    specs.push({
      id: newJobId(new Date(at)),
      prompt: prompt.charAt(0).toUpperCase() + prompt.slice(1),
      status,
      duration: rand() < 0.7 ? 5 : 10,
      favourite: rand() < 0.08,
      createdAt: new Date(at).toISOString(),
    });
    at -= Math.max(1000, Math.floor((rand() * 2 * span) / Math.max(1, options.count)));
  }

  const full = specs.slice(0, options.full ?? 0);
  if (full.length) {
    const store = await LibraryStore.open({
      dir,
      log: createLogger(() => {}),
      events: new EventBus(),
      mediaUrl: (root, rel) => `/media/${root}/${rel}`,
      trash: async () => {},
    });
    const clip = await readFile(CLIP);
    for (const [index, spec] of full.entries()) {
      const hue = (index * 47) % 360;
      const record = await store.createJob({
        prompt: spec.prompt,
        duration: spec.duration,
        createdAt: new Date(spec.createdAt),
        frames: [
          { role: 'start', bytes: await renderFrame(hue, 0.2), ext: 'png', originalName: `frame-${index}-a.png` },
          { role: 'end', bytes: await renderFrame(hue, 0.8), ext: 'png', originalName: `frame-${index}-b.png` },
        ],
      });
      spec.id = record.id;
      await store.recordFrameHost(record.id, 'start', 'data-uri', 'data:image/png;base64,AAAA');
      await store.recordFrameHost(record.id, 'end', 'data-uri', 'data:image/png;base64,AAAA');
      await store.recordSubmitted(record.id, `req-${record.id}`);
      await store.recordStatus(record.id, 'running');
      if (spec.status === 'failed') await store.recordStatus(record.id, 'failed', { error: pick(failures) });
      else {
        await store.recordStatus(record.id, 'completed');
        await store.recordCost(record.id, seededCost(spec.duration));
        await store.addFile(record.id, { kind: 'video', name: 'video.mp4', bytes: clip });
      }
      if (spec.favourite) await store.setFavourite(record.id, true);
    }
    await store.close();
  }

  const rest = specs.slice(full.length);
  const shared = options.indexOnly ? undefined : await sharedFiles(dir, 12);
  const db = openDatabase(join(dir, DB_FILE));
  try {
    writeRowsInBulk(
      db,
      [...rest.entries()].reverse().map(([index, spec]) => {
        const record = recordFor(spec, rand, pick);
        if (shared) writeFolder(dir, record, shared, index);
        return { record, dirty: false };
      }),
    );
  } finally {
    db.close();
  }
  return { jobs: specs, ms: performance.now() - started };
}

/** Completed jobs cost what the fake API charges: $0.112 per second of video, reported as a plain number. */
export function seededCost(duration: 5 | 10): { raw: number; usd: number } {
  const usd = fakeCostUsd(duration);
  return { raw: usd, usd };
}

function recordFor(spec: SeedResult['jobs'][number], rand: () => number, pick: <T>(list: readonly T[]) => T): JobRecord {
  const t = Date.parse(spec.createdAt);
  const iso = (offset: number) => new Date(t + offset).toISOString();
  const history: JobRecord['history'] = [{ status: 'submitting', at: iso(0) }];
  const terminal = ['completed', 'failed', 'cancelled'].includes(spec.status);
  if (spec.status !== 'submitting' && spec.status !== 'submit_unknown') history.push({ status: 'queued', at: iso(900) });
  if (spec.status === 'running' || spec.status === 'completed' || spec.status === 'failed')
    history.push({ status: 'running', at: iso(20_000) });
  if (spec.status !== 'queued' && spec.status !== 'running' && spec.status !== 'submitting')
    history.push({ status: spec.status, at: iso(95_000) });
  const record: JobRecord = {
    format: MANIFEST_FORMAT,
    id: spec.id,
    revision: history.length,
    createdAt: spec.createdAt,
    updatedAt: history.at(-1)!.at,
    status: spec.status,
    prompt: spec.prompt,
    duration: spec.duration,
    model: 'kling/kling-video-o1/image-to-video',
    ...(spec.status !== 'submitting' && spec.status !== 'submit_unknown' ? { requestId: `req-${spec.id}`, submittedAt: iso(900) } : {}),
    ...(history.some((h) => h.status === 'running') ? { startedAt: iso(20_000) } : {}),
    ...(terminal ? { finishedAt: iso(95_000) } : {}),
    ...(spec.status === 'failed' ? { error: pick(failures) } : {}),
    favourite: spec.favourite,
    history,
    files: [
      { name: 'start.png', kind: 'frame', role: 'start', bytes: 0, complete: true, host: rand() < 0.5 ? 'data-uri' : 's3' },
      { name: 'end.png', kind: 'frame', role: 'end', bytes: 0, complete: true, host: 'data-uri' },
    ],
  };
  if (spec.status === 'completed') {
    record.files.push({ name: 'video.mp4', kind: 'video', bytes: 0, complete: true });
    record.files.push({ name: 'poster.jpg', kind: 'poster', bytes: 0, complete: true });
    record.cost = seededCost(spec.duration);
  }
  return record;
}

interface Shared {
  start: string[];
  end: string[];
  poster: string[];
  video: string;
  sizes: Map<string, number>;
}

/** Writes the shared files once (inside the library, under the first job that uses them). */
async function sharedFiles(dir: string, variants: number): Promise<Shared> {
  const base = join(dir, '.seed-shared');
  mkdirSync(base, { recursive: true });
  const shared: Shared = { start: [], end: [], poster: [], video: join(base, 'video.mp4'), sizes: new Map() };
  copyFileSync(CLIP, shared.video);
  shared.sizes.set(shared.video, (await readFile(CLIP)).byteLength);
  for (let v = 0; v < variants; v++) {
    const hue = (v * 360) / variants;
    const files = {
      start: await renderFrame(hue, 0.2),
      end: await renderFrame(hue, 0.8),
      poster: await sharp(await renderFrame(hue, 0.5, 480, 270))
        .jpeg({ quality: 82 })
        .toBuffer(),
    };
    for (const [kind, bytes] of Object.entries(files)) {
      const path = join(base, `${kind}-${v}.${kind === 'poster' ? 'jpg' : 'png'}`);
      writeFileSync(path, bytes);
      shared[kind as 'start' | 'end' | 'poster'].push(path);
      shared.sizes.set(path, bytes.byteLength);
    }
  }
  return shared;
}

function writeFolder(dir: string, record: JobRecord, shared: Shared, index: number): void {
  const folder = jobDir(dir, record.id);
  mkdirSync(folder, { recursive: true });
  const variant = index % shared.start.length;
  const sources: Record<string, string> = {
    'start.png': shared.start[variant],
    'end.png': shared.end[variant],
    'video.mp4': shared.video,
    'poster.jpg': shared.poster[variant],
  };
  for (const file of record.files) {
    const source = sources[file.name];
    linkOrCopy(source, join(folder, file.name));
    file.bytes = shared.sizes.get(source) ?? file.bytes;
  }
  writeFileSync(join(folder, MANIFEST_FILE), JSON.stringify(record, null, 2) + '\n');
}

function linkOrCopy(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}
