/**
 * Exporting a board: its picked takes, in order, joined into one MP4 by cut.ts (a lossless remux)
 * with a JSON sidecar beside it; progress as `storyboard:exportProgress`, cancel by board, and
 * "reveal" only for files this process itself exported. Takes a remux cannot join are re-encoded
 * by the renderer (WebCodecs) into a file main opened for it (export-upload.ts): `export` then
 * answers with a ticket, and `write` / `finish` take the bytes.
 */
import { basename, resolve } from 'node:path';
import { AppError } from '../../contract/errors';
import type { JobDetail } from '../../contract/library';
import type { ExportProgress, ExportResult, ExportTicket, Storyboard } from '../../contract/storyboard';
import { writeJsonAtomic } from '../json-file';
import type { EventBus } from '../events';
import type { LibraryStore } from '../library/store';
import type { Logger } from '../log';
import type { MediaUrl } from '../media';
import type { Platform } from '../platform';
import type { BoardStore } from './board-store';
import { checkTakes, cutTakes, TakesDiffer, TakeUnreadable } from './cut';
import type { CutInput } from './cut';
import type { TakeFormat } from './take-format';
import { ExportUploads } from './export-upload';
import { jobFileUrl } from './present';
import { currentShots, shotOf } from './record';
import type { BoardRecord } from './record';
import { buildSidecar, sidecarPathFor } from './sidecar';

export interface ExportOptions {
  boards: BoardStore;
  library: LibraryStore;
  events: EventBus;
  log: Logger;
  platform: Platform;
  mediaUrl: MediaUrl;
  /** The board as the app shows it (for the sidecar). */
  present: (record: BoardRecord) => Storyboard;
}

export interface ExportRun {
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** A finished export (the headless CLI prints it). */
export type ExportDone = Required<Pick<ExportResult, 'path' | 'sidecarPath' | 'durationS' | 'mode'>>;

type Inputs = ReturnType<BoardExports['inputs']>;

/** A re-encoded export the renderer is writing. */
interface Reencoding {
  boardId: string;
  path: string;
  inputs: Inputs;
  formats: TakeFormat[];
  durationS: number;
}

/** A file name from the board's name, e.g. `fox-in-the-snow.mp4`. */
export function cutFileName(name: string): string {
  const words = name
    .normalize('NFKD')
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  return `${(words ?? []).slice(0, 8).join('-').slice(0, 60) || 'storyboard'}.mp4`;
}

export class BoardExports {
  #running = new Map<string, AbortController>();
  /** Re-encoded exports the renderer is writing, by upload id. */
  #reencoding = new Map<string, Reencoding>();
  readonly #uploads = new ExportUploads();
  /** Files this process wrote: the only ones `reveal` shows. */
  #written = new Set<string>();
  /**
   * Awaited at each progress step of a remux, with the export's signal: the one seam tests use to
   * hold an export mid-write until it is cancelled (test/carrier/export-gate.ts). Unset in the app.
   */
  pace?: (fraction: number, signal: AbortSignal) => Promise<void> | undefined;

  constructor(private readonly options: ExportOptions) {}

  /** Asks where to save, then exports there, or hands the renderer a ticket to re-encode the takes. */
  async export(id: string): Promise<ExportResult> {
    const record = this.options.boards.require(id);
    this.inputs(record);
    this.#refuseIfRunning(id);
    const path = await this.options.platform.showSaveDialog({
      title: 'Export the storyboard',
      defaultName: cutFileName(record.name),
      filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
    });
    if (!path) return {};
    const onProgress = (progress: ExportProgress) => this.options.events.emit('storyboard:exportProgress', progress);
    return this.#export(id, path, { onProgress }, true);
  }

  /** The headless export: a remux only (there is no renderer to re-encode). */
  async exportTo(id: string, path: string, run: ExportRun = {}): Promise<ExportDone> {
    return (await this.#export(id, path, run, false)) as ExportDone;
  }

  async #export(id: string, path: string, run: ExportRun, offerReencode: boolean): Promise<ExportResult> {
    this.#refuseIfRunning(id);
    const record = this.options.boards.require(id);
    const inputs = this.inputs(record);
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (run.signal?.aborted) abort.abort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    this.#running.set(id, abort);
    let handedOver = false;
    const say = (phase: ExportProgress['phase'], fraction: number, message: string) => run.onProgress?.({ id, phase, fraction, message });
    try {
      say('checking', 0, 'Checking the takes…');
      const cuts = inputs.map((input) => input.cut);
      const { formats, differences } = await checkTakes(cuts, abort.signal);
      if (differences.length && offerReencode) {
        const ticket = await this.#ticket(id, resolve(path), inputs, formats, differences);
        handedOver = true;
        say('writing', 0, 'Re-encoding the takes…');
        return { reencode: ticket };
      }
      if (differences.length) throw new TakesDiffer(differences);
      const cut = await cutTakes(cuts, resolve(path), {
        signal: abort.signal,
        onProgress: (fraction) => {
          say('writing', fraction, 'Writing the cut…');
          return this.pace?.(fraction, abort.signal);
        },
      });
      const result = await this.#publish(record.id, inputs, formats, { path: cut.path, durationS: cut.durationS, mode: 'remux' });
      say('done', 1, `Exported ${inputs.length} shot${inputs.length === 1 ? '' : 's'}.`);
      return result;
    } catch (error) {
      if (abort.signal.aborted) {
        say('cancelled', 0, 'Export cancelled; nothing was left behind.');
        throw new AppError('aborted', 'The export was cancelled; nothing was written.');
      }
      throw this.#failed(error, path, say);
    } finally {
      // A re-encode stays "running" (one export per board, cancel by board) until it is finished or cancelled.
      if (!handedOver) this.#running.delete(id);
      run.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Opens the part file for the renderer's bytes; the takes go by the media handler's URLs, never by path. */
  async #ticket(boardId: string, path: string, inputs: Inputs, formats: TakeFormat[], differences: string[]): Promise<ExportTicket> {
    const uploadId = await this.#uploads.begin(path);
    const durationS = formats.reduce((sum, format) => sum + format.span.end - format.span.start, 0);
    this.#reencoding.set(uploadId, { boardId, path, inputs, formats, durationS });
    return {
      uploadId,
      takes: inputs.map((input) => ({ url: jobFileUrl(this.options.mediaUrl, input.job.id, input.video), label: input.cut.label })),
      durationS,
      reason: `These takes cannot be joined as they are, so they are re-encoded: ${differences.join(' ')}`,
    };
  }

  /** One chunk of a re-encoded export. A chunk refused ends the export and removes its part file. */
  async write(uploadId: string, position: number, base64: string): Promise<null> {
    const job = this.#reencodingOf(uploadId);
    try {
      await this.#uploads.write(uploadId, position, Buffer.from(base64, 'base64'));
      return null;
    } catch (error) {
      await this.#drop(uploadId, job);
      throw this.#failed(error, job.path, this.#sayFor(job.boardId));
    }
  }

  /** Checks the re-encoded file, renames it into place, writes its sidecar. */
  async finish(uploadId: string): Promise<ExportResult> {
    const job = this.#reencodingOf(uploadId);
    this.#reencoding.delete(uploadId);
    const say = this.#sayFor(job.boardId);
    try {
      say('writing', 1, 'Checking the re-encoded cut…');
      const done = await this.#uploads.finish(uploadId, job.durationS);
      const record = this.options.boards.require(job.boardId);
      const result = await this.#publish(record.id, job.inputs, job.formats, {
        path: done.path,
        durationS: done.durationS,
        mode: 'reencode',
      });
      say('done', 1, `Exported ${job.inputs.length} shot${job.inputs.length === 1 ? '' : 's'}, re-encoded.`);
      return result;
    } catch (error) {
      throw this.#failed(error, job.path, say);
    } finally {
      this.#running.delete(job.boardId);
    }
  }

  /** Stops the board's export: a remux between packets, a re-encode by removing its part file. */
  async cancel(id: string): Promise<null> {
    this.#running.get(id)?.abort();
    for (const [uploadId, job] of this.#reencoding)
      if (job.boardId === id) {
        await this.#drop(uploadId, job);
        this.#sayFor(id)('cancelled', 0, 'Export cancelled; nothing was left behind.');
      }
    return null;
  }

  /** The app is closing: no re-encoded export's part file stays behind. */
  async close(): Promise<void> {
    this.#reencoding.clear();
    await this.#uploads.cancelAll();
  }

  reveal(path: string): null {
    const file = resolve(path);
    if (!this.#written.has(file)) throw new AppError('invalid_input', 'Keyframe shows only files it exported itself.');
    this.options.platform.revealInFolder(file);
    return null;
  }

  /** Each shot's picked, complete take, in order; says which shots lack one. */
  inputs(record: BoardRecord) {
    const shots = currentShots(record);
    if (shots.length === 0)
      throw new AppError('invalid_input', 'The storyboard has no shots to export yet: it needs at least two keyframes.');
    const missing: number[] = [];
    const inputs = shots.flatMap(({ key, index }) => {
      const picked = shotOf(record, key).picked;
      const job = picked ? this.options.library.get(picked) : undefined;
      const video = job?.files.find((file) => file.kind === 'video' && file.complete);
      if (!job || !video) {
        missing.push(index + 1);
        return [];
      }
      const cut: CutInput = { path: this.options.library.fileOf(job.id, video.name), label: `Shot ${index + 1}` };
      return [{ key, job, cut, video: video.name }];
    });
    if (missing.length) {
      const list = missing.length === 1 ? `Shot ${missing[0]} has` : `Shots ${missing.join(', ')} have`;
      throw new AppError('invalid_input', `${list} no picked take with its video yet: pick one before exporting.`);
    }
    return inputs;
  }

  /** Writes the sidecar beside a cut now in place, and lets `reveal` show it. */
  async #publish(boardId: string, inputs: Inputs, formats: TakeFormat[], cut: Omit<ExportDone, 'sidecarPath'>): Promise<ExportDone> {
    // The sidecar gives each take's real length (the model's clip may differ from the duration asked for).
    const lengths = new Map(inputs.map((input, index) => [input.job.id, formats[index].span.end - formats[index].span.start]));
    const board = this.options.present(this.options.boards.require(boardId));
    board.shots = board.shots.map((shot) => ({
      ...shot,
      takes: shot.takes.map((take) => ({ ...take, durationS: lengths.get(take.jobId) ?? take.durationS })),
    }));
    const details = new Map<string, JobDetail>(inputs.map((input) => [input.job.id, this.options.library.detail(input.job.id)]));
    const sidecar = buildSidecar(board, details, {
      file: basename(cut.path),
      mode: cut.mode,
      durationS: cut.durationS,
      exportedAt: new Date().toISOString(),
    });
    const sidecarPath = sidecarPathFor(cut.path);
    await writeJsonAtomic(sidecarPath, sidecar);
    this.#written.add(cut.path);
    return { ...cut, sidecarPath };
  }

  /** The error to throw for a failed export, said as progress too; unexpected ones are logged. */
  #failed(error: unknown, path: string, say: (phase: 'failed', fraction: number, message: string) => void): AppError {
    const known = error instanceof TakesDiffer || error instanceof TakeUnreadable || error instanceof RangeError;
    const message = known ? error.message : error instanceof AppError ? error.message : `The cut could not be written to ${path}.`;
    if (!known && !(error instanceof AppError)) this.options.log.error('storyboard', 'export failed', error);
    say('failed', 0, message);
    if (error instanceof AppError) return error;
    return new AppError(error instanceof TakesDiffer || error instanceof RangeError ? 'invalid_input' : 'io', message, { cause: error });
  }

  #refuseIfRunning(id: string): void {
    if (this.#running.has(id)) throw new AppError('invalid_input', 'This storyboard is already being exported.');
  }

  #reencodingOf(uploadId: string): Reencoding {
    const job = this.#reencoding.get(uploadId);
    if (!job) throw new AppError('invalid_input', 'This export is no longer open: it was finished or cancelled.');
    return job;
  }

  async #drop(uploadId: string, job: Reencoding): Promise<void> {
    this.#reencoding.delete(uploadId);
    this.#running.delete(job.boardId);
    await this.#uploads.cancel(uploadId);
  }

  #sayFor(id: string) {
    return (phase: ExportProgress['phase'], fraction: number, message: string) =>
      this.options.events.emit('storyboard:exportProgress', { id, phase, fraction, message });
  }
}
