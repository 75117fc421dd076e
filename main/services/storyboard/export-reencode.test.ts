/**
 * Exporting takes a remux cannot join (their sizes differ), on the app's real services: main hands
 * out a ticket (the takes' media addresses, never paths), takes the renderer's bytes chunk by
 * chunk into a file it owns, refuses what does not fit, and publishes the file with a sidecar.
 * Node has no WebCodecs, so the renderer's encoder is played by ffmpeg (a real H.264 encode);
 * the browser half runs in test/e2e/reencode-cut.spec.ts and the storyboard spec.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { methods } from '../../contract';
import type { ExportProgress, ExportTicket } from '../../contract';
import { until } from '../../../test/jobs/cli-harness';
import { boardRig } from '../../../test/storyboard/rig';
import type { BoardRig } from '../../../test/storyboard/rig';
import { resolveMediaPath } from '../media';
import { partPath } from './cut';

const FIXTURE = (name: string) => join(import.meta.dirname, '../../../test/fixtures/video', name);
const rigs: BoardRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

/** A board of three keyframes whose two shots' picked takes are 480×270 (3 s) and 640×360 (1 s). */
async function differingBoard() {
  const r = await boardRig({ videos: [readFileSync(FIXTURE('shot-a.mp4')), readFileSync(FIXTURE('shot-640x360.mp4'))] });
  rigs.push(r);
  const { storyboard } = r.services;
  let sb = await storyboard.create('Two sizes');
  for (const [at, colour] of ['#c33', '#3c3', '#33c'].entries())
    sb = await storyboard.putKeyframe(sb.id, { frameId: await r.pick(colour), at, mode: 'insert' });
  for (const shot of sb.shots) sb = await storyboard.setShot(sb.id, shot.key, { prompt: `@Image1 to @Image2, shot ${shot.index + 1}` });
  await storyboard.make(sb.id, { shots: 'unpicked' });
  const takes = await until(() => {
    const all = storyboard.get(sb.id).shots.flatMap((shot) => shot.takes);
    return all.length === 2 && all.every((take) => take.videoUrl) && all;
  }, 'two completed takes');
  for (const [index, shot] of sb.shots.entries()) sb = await storyboard.pick(sb.id, shot.key, takes[index].jobId);
  const progress: ExportProgress[] = [];
  r.services.events.listen((name, payload) => name === 'storyboard:exportProgress' && progress.push(payload as ExportProgress));
  return { r, sb, storyboard, progress };
}

/** The renderer's part, played by ffmpeg: the two takes as one 480×270 H.264 file of 96 frames. */
async function encodedCut(r: BoardRig, ticket: ExportTicket): Promise<Buffer> {
  const [first, second] = await Promise.all(
    ticket.takes.map((take) => resolveMediaPath(r.services.media.roots(), decodeURIComponent(take.url.replace(/^\/media\//, '')))),
  );
  const out = join(r.dir, 'encoded.mp4');
  const filter = '[1:v]scale=480:270,setsar=1[b];[0:v]setsar=1[a];[a][b]concat=n=2:v=1:a=0';
  await promisify(execFile)('ffmpeg', [
    '-v',
    'error',
    '-i',
    first!,
    '-i',
    second!,
    '-filter_complex',
    filter,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    out,
  ]);
  return readFileSync(out);
}

describe('a re-encoded export', () => {
  it('hands the renderer a ticket, takes its chunks into a file main owns, and publishes it with a "reencode" sidecar', async () => {
    const { r, sb, storyboard, progress } = await differingBoard();
    const path = join(r.dir, 'sizes.mp4');
    r.platform.saveDialogAnswers.push(path);
    const { reencode: ticket, path: written } = await storyboard.export(sb.id);
    expect(written).toBeUndefined();
    expect(ticket).toMatchObject({ durationS: 4, reason: expect.stringContaining('Shot 2 is 640×360 and Shot 1 is 480×270') });
    // The takes go by the addresses the media handler serves from the library, as the board shows them.
    expect(ticket!.takes).toEqual(
      storyboard.get(sb.id).shots.map((shot, index) => ({ url: shot.takes[0].videoUrl, label: `Shot ${index + 1}` })),
    );
    expect(existsSync(partPath(path))).toBe(true);
    await expect(storyboard.export(sb.id)).rejects.toThrow('This storyboard is already being exported.');

    const bytes = await encodedCut(r, ticket!);
    const chunk = 64 * 1024;
    for (let at = 0; at < bytes.length; at += chunk)
      expect(await storyboard.writeExport(ticket!.uploadId, at, bytes.subarray(at, at + chunk).toString('base64'))).toBeNull();
    const result = await storyboard.finishExport(ticket!.uploadId);
    expect(result).toEqual({ path, sidecarPath: join(r.dir, 'sizes.json'), durationS: 4, mode: 'reencode' });
    expect(readFileSync(path)).toEqual(bytes);
    expect(readdirSync(r.dir).filter((name) => name.includes('sizes'))).toEqual(['sizes.json', 'sizes.mp4']);
    const sidecar = JSON.parse(readFileSync(join(r.dir, 'sizes.json'), 'utf8'));
    expect(sidecar.export).toMatchObject({ file: 'sizes.mp4', mode: 'reencode', durationS: 4, shots: 2 });
    expect(sidecar.shots.map((shot: { take: { startS: number } }) => shot.take.startS)).toEqual([0, 3]);
    expect(progress.at(-1)).toMatchObject({ id: sb.id, phase: 'done', fraction: 1 });
    storyboard.revealExport(path);
    expect(r.platform.calls.at(-1)).toEqual({ kind: 'reveal', path });
    // Finished: the ticket is spent.
    await expect(storyboard.writeExport(ticket!.uploadId, 0, 'AAAA')).rejects.toThrow('This export is no longer open');
  });

  it('refuses chunks that do not fit, a file of the wrong length, and drops the part file on cancel', async () => {
    const { r, sb, storyboard, progress } = await differingBoard();
    const ticketTo = async (name: string) => {
      r.platform.saveDialogAnswers.push(join(r.dir, name));
      return (await storyboard.export(sb.id)).reencode!;
    };
    const args = methods['storyboard:writeExport'].args;
    const id = 'f'.repeat(32);
    expect(args.safeParse([id, 0, 'AAAA']).success).toBe(true);
    expect(args.safeParse(['../../etc/passwd', 0, 'AAAA']).error?.issues[0].message).toBe('Not an export upload id.');
    expect(args.safeParse([id, -1, 'AAAA']).success).toBe(false);
    expect(args.safeParse([id, 1.5, 'AAAA']).success).toBe(false);
    expect(args.safeParse([id, 0, 'not base64!']).error?.issues[0].message).toBe('A chunk of the export is not base64.');
    expect(args.safeParse([id, 0, 'A'.repeat(6_000_000)]).error?.issues[0].message).toBe('A chunk of the export is over 4 MB.');
    await expect(storyboard.writeExport(id, 0, 'AAAA')).rejects.toThrow('This export is no longer open');
    await expect(storyboard.finishExport(id)).rejects.toThrow('This export is no longer open');

    // A chunk too large (past the schema, as a bad renderer would send it) ends the export; nothing stays.
    const big = await ticketTo('big.mp4');
    await expect(storyboard.writeExport(big.uploadId, 0, Buffer.alloc(4 * 1024 * 1024 + 1).toString('base64'))).rejects.toThrow(
      'A chunk of the export is over 4 MB.',
    );
    expect(progress.at(-1)).toMatchObject({ phase: 'failed', message: 'A chunk of the export is over 4 MB.' });
    expect(readdirSync(r.dir).filter((name) => name.includes('big'))).toEqual([]);
    await expect(storyboard.writeExport(big.uploadId, 0, 'AAAA')).rejects.toThrow('This export is no longer open');

    // Bytes that are one take only (3 s where the takes last 4 s) are not published.
    const short = await ticketTo('short.mp4');
    await storyboard.writeExport(short.uploadId, 0, readFileSync(FIXTURE('shot-a.mp4')).toString('base64'));
    await expect(storyboard.finishExport(short.uploadId)).rejects.toThrow('The re-encoded cut lasts 3.00 s where the takes last 4.00 s.');
    expect(readdirSync(r.dir).filter((name) => name.includes('short'))).toEqual([]);

    // Cancel by board: the part file goes, the ticket is spent, and the board can export again.
    const cancelled = await ticketTo('cancelled.mp4');
    await storyboard.writeExport(cancelled.uploadId, 0, 'AAAA');
    expect(existsSync(partPath(join(r.dir, 'cancelled.mp4')))).toBe(true);
    expect(await storyboard.cancelExport(sb.id)).toBeNull();
    expect(progress.at(-1)).toMatchObject({ id: sb.id, phase: 'cancelled' });
    expect(readdirSync(r.dir).filter((name) => name.includes('cancelled'))).toEqual([]);
    await expect(storyboard.writeExport(cancelled.uploadId, 0, 'AAAA')).rejects.toThrow('This export is no longer open');
    expect((await ticketTo('again.mp4')).uploadId).not.toBe(cancelled.uploadId);
  });
});
