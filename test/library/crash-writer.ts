/**
 * Writes to a library as fast as it can, forever, with every kind of write the store has:
 * create (with frames), status changes, downloads, posters, favourites, deletes. The crash test
 * runs it in a child process and kills it with SIGKILL at a random moment.
 *
 *   node --import tsx test/library/crash-writer.ts <library-dir> <seed>
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '../../main/services/events';
import { LibraryStore } from '../../main/services/library';
import { createLogger } from '../../main/services/log';
import { RecordingPlatform } from '../carrier/platform';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) || 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const trash = new RecordingPlatform(join(dir, '..', 'Trash'));
const store = await LibraryStore.open({
  dir,
  log: createLogger(() => {}),
  events: new EventBus(),
  mediaUrl: (root, rel) => `/media/${root}/${rel}`,
  trash: (path) => trash.trashItem(path),
});
process.stdout.write('ready\n');

const big = (kb: number) => randomBytes(kb * 1024);
const open = () => store.listOpen();
const any = () => store.list({ limit: 50 }).items;
let done = 0;

async function writeInChunks(path: string, chunks: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < chunks; i++) await new Promise<void>((resolve, reject) => out.write(big(64), (e) => (e ? reject(e) : resolve())));
  await new Promise<void>((resolve) => out.end(resolve));
}

for (;;) {
  const r = rand();
  const jobs = open();
  const job = jobs[Math.floor(rand() * jobs.length)];
  if (r < 0.3 || !job) {
    await store.createJob({
      prompt: `crash test job ${done}`,
      duration: rand() < 0.5 ? 5 : 10,
      frames: [
        { role: 'start', bytes: big(200), ext: 'png' },
        { role: 'end', bytes: big(150), ext: 'jpg' },
      ],
    });
  } else if (job.status === 'submitting') {
    await (rand() < 0.8 ? store.recordSubmitted(job.id, `req-${job.id}`) : store.markSubmitUnknown(job.id));
  } else if (job.status === 'queued' || job.status === 'submit_unknown') {
    await store.recordStatus(job.id, rand() < 0.8 ? 'running' : 'cancelled');
  } else if (job.status === 'running') {
    await store.recordStatus(job.id, rand() < 0.85 ? 'completed' : 'failed', { error: 'Generation failed.' });
  } else if (job.status === 'completed' && rand() < 0.5) {
    const partial = await store.beginVideo(job.id);
    await writeInChunks(partial, 8);
    await store.finishVideo(job.id);
  } else if (job.status === 'completed') {
    await store.addFile(job.id, { kind: 'video', name: 'video.mp4', bytes: big(700) });
  }
  const some = any();
  const other = some[Math.floor(rand() * some.length)];
  if (other && rand() < 0.3)
    await store.addFile(other.id, { kind: 'poster', name: rand() < 0.5 ? 'poster.jpg' : 'poster.png', bytes: big(40) });
  if (other && rand() < 0.3) await store.setFavourite(other.id, !other.favourite);
  if (other && rand() < 0.12) await store.delete(other.id);
  done++;
  if (done % 10 === 0) process.stdout.write(`${done}\n`);
}
