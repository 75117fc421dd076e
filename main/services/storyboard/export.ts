/**
 * Exporting a board: its picked takes, in order, joined into one MP4 by cut.ts (a lossless remux)
 * with a JSON sidecar beside it; progress as `storyboard:exportProgress`, cancel by board, and
 * "reveal" only for files this process itself exported.
 */
import { basename, resolve } from 'node:path';
import { AppError } from '../../contract/errors';
import type { JobDetail } from '../../contract/library';
import type { ExportProgress, ExportResult, Storyboard } from '../../contract/storyboard';
import { writeJsonAtomic } from '../json-file';
import type { EventBus } from '../events';
import type { LibraryStore } from '../library/store';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { BoardStore } from './board-store';
import { checkTakes, cutTakes, TakesDiffer, TakeUnreadable } from './cut';
import type { CutInput } from './cut';
import { currentShots, shotOf } from './record';
import type { BoardRecord } from './record';
import { buildSidecar, sidecarPathFor } from './sidecar';

export interface ExportOptions {
  boards: BoardStore;
  library: LibraryStore;
  events: EventBus;
  log: Logger;
  platform: Platform;
  /** The board as the app shows it (for the sidecar). */
  present: (record: BoardRecord) => Storyboard;
}

export interface ExportRun {
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
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
  /** Files this process wrote: the only ones `reveal` shows. */
  #written = new Set<string>();

  constructor(private readonly options: ExportOptions) {}

  /** Asks where to save, then exports there. */
  async export(id: string): Promise<ExportResult> {
    const record = this.options.boards.require(id);
    this.#inputs(record);
    const path = await this.options.platform.showSaveDialog({
      title: 'Export the storyboard',
      defaultName: cutFileName(record.name),
      filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
    });
    if (!path) return {};
    return this.exportTo(id, path, { onProgress: (progress) => this.options.events.emit('storyboard:exportProgress', progress) });
  }

  async exportTo(id: string, path: string, run: ExportRun = {}): Promise<Required<ExportResult>> {
    if (this.#running.has(id)) throw new AppError('invalid_input', 'This storyboard is already being exported.');
    const record = this.options.boards.require(id);
    const inputs = this.#inputs(record);
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (run.signal?.aborted) abort.abort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    this.#running.set(id, abort);
    const say = (phase: ExportProgress['phase'], fraction: number, message: string) => run.onProgress?.({ id, phase, fraction, message });
    try {
      say('checking', 0, 'Checking the takes…');
      const cuts = inputs.map((input) => input.cut);
      const { formats, differences } = await checkTakes(cuts, abort.signal);
      if (differences.length) throw new TakesDiffer(differences);
      const cut = await cutTakes(cuts, resolve(path), {
        signal: abort.signal,
        onProgress: (fraction) => say('writing', fraction, 'Writing the cut…'),
      });
      // The sidecar gives each take's real length (the model's clip may differ from the duration asked for).
      const lengths = new Map(inputs.map((input, index) => [input.job.id, formats[index].span.end - formats[index].span.start]));
      const board = this.options.present(record);
      board.shots = board.shots.map((shot) => ({
        ...shot,
        takes: shot.takes.map((take) => ({ ...take, durationS: lengths.get(take.jobId) ?? take.durationS })),
      }));
      const details = new Map<string, JobDetail>(inputs.map((input) => [input.job.id, this.options.library.detail(input.job.id)]));
      const sidecar = buildSidecar(board, details, {
        file: basename(cut.path),
        mode: 'remux',
        durationS: cut.durationS,
        exportedAt: new Date().toISOString(),
      });
      const sidecarPath = sidecarPathFor(cut.path);
      await writeJsonAtomic(sidecarPath, sidecar);
      this.#written.add(cut.path);
      say('done', 1, `Exported ${inputs.length} shot${inputs.length === 1 ? '' : 's'}.`);
      return { path: cut.path, sidecarPath, durationS: cut.durationS, mode: 'remux' };
    } catch (error) {
      if (abort.signal.aborted) {
        say('cancelled', 0, 'Export cancelled; nothing was left behind.');
        throw new AppError('aborted', 'The export was cancelled; nothing was written.');
      }
      const message =
        error instanceof TakesDiffer || error instanceof TakeUnreadable ? error.message : `The cut could not be written to ${path}.`;
      if (!(error instanceof TakesDiffer || error instanceof TakeUnreadable)) this.options.log.error('storyboard', 'export failed', error);
      say('failed', 0, message);
      throw new AppError(error instanceof TakesDiffer ? 'invalid_input' : 'io', message, { cause: error });
    } finally {
      this.#running.delete(id);
      run.signal?.removeEventListener('abort', onAbort);
    }
  }

  cancel(id: string): null {
    this.#running.get(id)?.abort();
    return null;
  }

  reveal(path: string): null {
    const file = resolve(path);
    if (!this.#written.has(file)) throw new AppError('invalid_input', 'Keyframe shows only files it exported itself.');
    this.options.platform.revealInFolder(file);
    return null;
  }

  /** Each shot's picked, complete take, in order; says which shots lack one. */
  #inputs(record: BoardRecord) {
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
      return [{ key, job, cut }];
    });
    if (missing.length) {
      const list = missing.length === 1 ? `Shot ${missing[0]} has` : `Shots ${missing.join(', ')} have`;
      throw new AppError('invalid_input', `${list} no picked take with its video yet: pick one before exporting.`);
    }
    return inputs;
  }
}
