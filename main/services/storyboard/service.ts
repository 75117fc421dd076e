/**
 * The Storyboard as the app, the carrier and the headless CLI use it: boards (board-store.ts),
 * their strip (strip.ts), takes sent as tagged jobs (make.ts), and the cut (export.ts).
 */
import { extname } from 'node:path';
import { AppError } from '../../contract/errors';
import type { Frame } from '../../contract/frames';
import type {
  ExportResult,
  MakePlan,
  MakeRequest,
  MakeResult,
  PutKeyframe,
  ShotKey,
  ShotPatch,
  Storyboard,
  StoryboardPatch,
  StoryboardSummary,
} from '../../contract/storyboard';
import type { EventBus } from '../events';
import type { FrameService } from '../frames/service';
import type { JobsService } from '../jobs/service';
import type { LibraryStore } from '../library/store';
import { isOpen } from '../library/status';
import type { Logger } from '../log';
import type { MediaUrl } from '../media';
import type { Platform } from '../platform';
import type { PriceReader } from '../runcomfy/price';
import { BoardStore } from './board-store';
import type { NewKeyframeFile } from './board-store';
import { BoardExports } from './export';
import type { ExportRun } from './export';
import { planMake, sendTakes } from './make';
import { toStoryboard, toSummary } from './present';
import { BOARD_FORMAT, newKeyframeId, newStoryboardId } from './record';
import type { BoardKeyframe, BoardRecord, BoardShot } from './record';
import { insertKeyframe, moveKeyframe, patchShot, removeKeyframe, replaceKeyframe, setPick } from './strip';

export interface StoryboardServiceOptions {
  library: LibraryStore;
  frames: FrameService;
  jobs: JobsService;
  price: PriceReader;
  events: EventBus;
  log: Logger;
  mediaUrl: MediaUrl;
  /** The trash, the save dialog and "show in folder". */
  platform: Platform;
}

/** A new board made in one write (the headless `make`). */
export interface NewBoard {
  name: string;
  takesPerShot: number;
  /** Ids of frames staged and checked in the FrameService, in order. */
  frameIds: string[];
  shots: Omit<BoardShot, 'picked'>[];
  source?: string;
}

export class StoryboardService {
  readonly boards: BoardStore;
  readonly exports: BoardExports;
  #making = new Set<string>();
  #stopListening: () => void;

  constructor(private readonly options: StoryboardServiceOptions) {
    this.boards = new BoardStore(
      options.library,
      options.log,
      (path) => options.platform.trashItem(path),
      () => options.jobs.mustBeWritable('The storyboard was not changed.'),
    );
    this.exports = new BoardExports({ ...options, boards: this.boards, present: (record) => this.#present(record) });
    // A take's job changed: its board changed too.
    this.#stopListening = options.events.listen((name, payload) => {
      if (name !== 'library:changed') return;
      const id = (payload as { id?: string }).id;
      const storyboard = id ? options.library.get(id)?.tag?.storyboard : undefined;
      if (storyboard) this.#changed('updated', storyboard);
    });
  }

  close(): void {
    this.#stopListening();
    void this.exports.close();
  }

  list(): StoryboardSummary[] {
    return this.boards.list().map((record) => toSummary(this.#present(record)));
  }

  get(id: string): Storyboard {
    return this.#present(this.boards.require(id));
  }

  async create(name: string): Promise<Storyboard> {
    const record = await this.boards.create(this.#newRecord({ name, takesPerShot: 1, frameIds: [], shots: [] }, []));
    this.#changed('created', record.id);
    return this.#present(record);
  }

  /** A whole board in one write, from staged frames: a kill leaves it made or not at all. */
  async createWith(board: NewBoard): Promise<Storyboard> {
    const taken = await Promise.all(board.frameIds.map((frameId) => this.#takeFrame(frameId)));
    const record = await this.boards.create(
      this.#newRecord(
        board,
        taken.map((frame) => ({ ...frame.keyframe, id: newKeyframeId() })),
      ),
      taken.map((frame) => frame.file),
    );
    this.#changed('created', record.id);
    return this.#present(record);
  }

  /** The board made from this source (the headless `make`'s board file), if any. */
  findBySource(source: string): Storyboard | undefined {
    const record = this.boards.list().find((candidate) => candidate.source === source);
    return record && this.#present(record);
  }

  update(id: string, patch: StoryboardPatch): Promise<Storyboard> {
    return this.#update(id, (record) => Object.assign(record, patch));
  }

  async delete(id: string, { withJobs }: { withJobs: boolean }): Promise<null> {
    const takes = this.options.library.taggedWith(id);
    await this.boards.delete(id);
    this.#changed('deleted', id);
    // Takes still being made stay: they end in the Queue like any job, and can be deleted then.
    if (withJobs) for (const job of takes.filter((take) => !isOpen(take))) await this.options.library.delete(job.id);
    return null;
  }

  async putKeyframe(id: string, { frameId, at, mode }: PutKeyframe): Promise<Storyboard> {
    const { keyframe, file } = await this.#takeFrame(frameId);
    return this.#update(
      id,
      (record, now) =>
        mode === 'insert' ? insertKeyframe(record, { ...keyframe, id: newKeyframeId() }, at) : replaceKeyframe(record, keyframe, at, now),
      [file],
    );
  }

  removeKeyframe(id: string, keyframeId: string): Promise<Storyboard> {
    return this.#update(id, (record) => removeKeyframe(record, keyframeId));
  }

  moveKeyframe(id: string, keyframeId: string, to: number): Promise<Storyboard> {
    return this.#update(id, (record) => moveKeyframe(record, keyframeId, to));
  }

  /** Stages the keyframe's image as a picked frame, so its checks and fixes show; put it back with `replace`. */
  async openKeyframe(id: string, keyframeId: string): Promise<Frame> {
    const record = this.boards.require(id);
    const keyframe = record.keyframes.find((candidate) => candidate.id === keyframeId);
    if (!keyframe) throw new AppError('not_found', 'That keyframe is no longer in the storyboard.');
    return this.options.frames.addPath(this.boards.fileOf(id, keyframe.file), keyframe.name);
  }

  setShot(id: string, key: ShotKey, patch: ShotPatch): Promise<Storyboard> {
    return this.#update(id, (record) => patchShot(record, key, patch));
  }

  /** Picks a completed take of the shot (null: no pick). */
  async pick(id: string, key: ShotKey, jobId: string | null): Promise<Storyboard> {
    if (jobId) {
      const job = this.options.library.get(jobId);
      if (!job || job.tag?.storyboard !== id || job.tag.shot !== key)
        throw new AppError('invalid_input', 'That job is not a take of this shot.');
      if (job.status !== 'completed')
        throw new AppError('invalid_input', `That take is ${job.status.replace('_', ' ')}; only a finished take can be picked.`);
    }
    return this.#update(id, (record) => setPick(record, key, jobId));
  }

  async plan(id: string, request: MakeRequest, fillTo?: number): Promise<MakePlan> {
    const record = this.boards.require(id);
    return planMake(record, this.options.library.taggedWith(id), request, await this.options.price.get(), fillTo).plan;
  }

  /**
   * Sends the planned takes: `takesPerShot` new ones per shot, or with `fillTo` (the headless
   * `make`, resuming) only what each shot lacks of that many, counted from the tagged jobs.
   */
  async make(id: string, request: MakeRequest, fillTo?: number): Promise<MakeResult> {
    if (this.#making.has(id)) throw new AppError('invalid_input', 'This storyboard is already sending takes.');
    this.#making.add(id);
    try {
      const record = this.boards.require(id);
      const quote = await this.options.price.get();
      const { plan, sends } = planMake(record, this.options.library.taggedWith(id), request, quote, fillTo);
      if (plan.blockers.length) throw new AppError('invalid_input', `Nothing was sent. ${plan.blockers.join(' ')}`);
      const result = await sendTakes(record, sends, {
        frames: this.options.frames,
        jobs: this.options.jobs,
        fileOf: (keyframe) => this.boards.fileOf(id, keyframe.file),
      });
      this.#changed('updated', id);
      return result;
    } finally {
      this.#making.delete(id);
    }
  }

  /** Asks where to save, then writes the cut of the picked takes and its sidecar (export.ts). */
  export(id: string): Promise<ExportResult> {
    return this.exports.export(id);
  }

  /** The headless export: to `path`, no dialog. */
  exportTo(id: string, path: string, run?: ExportRun): ReturnType<BoardExports['exportTo']> {
    return this.exports.exportTo(id, path, run);
  }

  /** A chunk of a re-encoded export (base64), at its place in the file main opened for it. */
  writeExport(uploadId: string, position: number, chunk: string): Promise<null> {
    return this.exports.write(uploadId, position, chunk);
  }

  finishExport(uploadId: string): Promise<ExportResult> {
    return this.exports.finish(uploadId);
  }

  cancelExport(id: string): Promise<null> {
    return this.exports.cancel(id);
  }

  revealExport(path: string): null {
    return this.exports.reveal(path);
  }

  async #update(id: string, change: (record: BoardRecord, at: string) => void, files: NewKeyframeFile[] = []): Promise<Storyboard> {
    const record = await this.boards.update(id, change, files);
    this.#changed('updated', id);
    return this.#present(record);
  }

  /** A frame staged and checked in the FrameService, as a keyframe and the file to copy into the board. */
  async #takeFrame(frameId: string): Promise<{ keyframe: Omit<BoardKeyframe, 'id'>; file: NewKeyframeFile }> {
    const staged = await this.options.frames.staged(frameId);
    const frame = this.options.frames.get(frameId);
    const ext = extname(staged.path).slice(1).toLowerCase() || 'img';
    const file = `${frame.sha256}.${ext}`;
    return {
      keyframe: {
        name: frame.name,
        file,
        sha256: frame.sha256,
        width: frame.width,
        height: frame.height,
        bytes: frame.bytes,
        accepted: frame.accepted && frame.integrity !== 'corrupt',
      },
      file: { name: file, from: staged.path },
    };
  }

  #newRecord(board: NewBoard, keyframes: BoardKeyframe[]): BoardRecord {
    const at = new Date();
    const shots: BoardRecord['shots'] = {};
    board.shots.forEach((shot, index) => {
      if (keyframes[index + 1]) shots[`${keyframes[index].id}>${keyframes[index + 1].id}`] = shot;
    });
    return {
      format: BOARD_FORMAT,
      id: newStoryboardId(at),
      revision: 1,
      name: board.name,
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      takesPerShot: board.takesPerShot,
      keyframes,
      shots,
      ...(board.source ? { source: board.source } : {}),
    };
  }

  #present(record: BoardRecord): Storyboard {
    return toStoryboard(record, this.options.library.taggedWith(record.id), this.options.mediaUrl);
  }

  #changed(kind: 'created' | 'updated' | 'deleted', id: string): void {
    const name = kind === 'deleted' ? undefined : this.boards.nameOf(id);
    this.options.events.emit('storyboard:changed', { kind, id, ...(name !== undefined ? { name } : {}) });
  }
}
