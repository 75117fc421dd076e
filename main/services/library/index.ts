/**
 * The library as the app sees it: the store (storage API) at the folder the settings name, plus
 * the gallery's actions that need the desktop (save as, reveal, move, posters).
 */
import { access, copyFile } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharp } from '../image-engine';
import { AppError } from '../../contract/errors';
import type { JobDetail, LibraryInfo, LibraryNotice, LibraryPage, LibraryQuery, MoveResult, PosterImage } from '../../contract/library';
import type { Spend } from '../../contract/price';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { MediaUrl } from '../media';
import type { Platform } from '../platform';
import type { SettingsStore } from '../settings';
import { LibraryStore } from './store';
import { mustBeClosed } from './status';
import { whyWriteFailed } from './write-protocol';

export { LibraryStore } from './store';
export type { NewFrame, NewJob } from './create-job';
export type { StatusDetails } from './status';
export type { JobRecord, FileEntry } from './manifest';

export interface LibraryOptions {
  userDataDir: string;
  settings: SettingsStore;
  events: EventBus;
  log: Logger;
  platform: Platform;
  mediaUrl: MediaUrl;
  /** KEYFRAME_LIBRARY: a library folder for this run only (the headless CLI, scripts), over the setting. */
  env?: NodeJS.ProcessEnv;
}

const MAX_POSTER_BYTES = 4 * 1024 * 1024;
const MAX_POSTER_SIDE = 4096;

/** A file name from the prompt's first words, e.g. `red-fox-in-the-snow-20260514-153012.mp4`. */
export function videoFileName(record: { id: string; prompt: string }): string {
  const words = record.prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  const slug = (words ?? []).slice(0, 6).join('-').slice(0, 48);
  return `${slug ? slug + '-' : ''}${record.id.slice(0, 15)}.mp4`;
}

/** Why a library folder cannot be opened, in the user's words. */
async function whyUnopenable(dir: string, error: unknown): Promise<string> {
  const writable = await access(dir, constants.W_OK).then(
    () => undefined,
    (problem: NodeJS.ErrnoException) => problem.code,
  );
  const why = whyWriteFailed(writable ?? (error as NodeJS.ErrnoException).code);
  return why === 'a file error' ? ((error as NodeJS.ErrnoException).code ?? (error as Error).message) : why;
}

export class Library {
  #notice?: LibraryNotice;

  private constructor(
    readonly store: LibraryStore,
    readonly defaultDir: string,
    private readonly options: LibraryOptions,
    notice: LibraryNotice | undefined,
  ) {
    this.#notice = notice;
  }

  static async open(options: LibraryOptions): Promise<Library> {
    const defaultDir = join(options.userDataDir, 'library');
    const chosenForRun = options.env?.['KEYFRAME_LIBRARY']?.trim();
    const configured = options.settings.get().libraryDir;
    const openAt = (dir: string) =>
      LibraryStore.open({
        dir,
        log: options.log,
        events: options.events,
        mediaUrl: options.mediaUrl,
        trash: (path) => options.platform.trashItem(path),
      });
    if (chosenForRun) {
      // Asked for by name: made if missing, and never swapped for the default behind the caller's back.
      const store = await openAt(resolve(chosenForRun));
      return new Library(store, defaultDir, options, store.notice);
    }
    if (configured && configured !== defaultDir) {
      // A library on a drive that is not connected (or cannot be opened): open the default one
      // meanwhile and say why; the setting is kept for next time.
      let reason = 'is not available (is its drive connected?)';
      if (existsSync(configured)) {
        try {
          const store = await openAt(configured);
          return new Library(store, defaultDir, options, store.notice);
        } catch (error) {
          options.log.error('library', `could not open the library at ${configured}`, error);
          reason = `could not be opened (${await whyUnopenable(configured, error)})`;
        }
      }
      const notice: LibraryNotice = {
        kind: 'unavailable',
        message: `The library folder ${configured} ${reason}. Keyframe opened the default library meanwhile.`,
        at: new Date().toISOString(),
      };
      options.log.warn('library', notice.message);
      return new Library(await openDefault(), defaultDir, options, notice);
    }
    const store = await openDefault();
    return new Library(store, defaultDir, options, store.notice);

    async function openDefault(): Promise<LibraryStore> {
      try {
        return await openAt(defaultDir);
      } catch (error) {
        options.log.error('library', `could not open the library at ${defaultDir}`, error);
        throw new AppError(
          'io',
          `Keyframe cannot open its library in ${defaultDir} (${await whyUnopenable(defaultDir, error)}). ` +
            'Nothing in it was changed. Make the folder writable, then start Keyframe again.',
          { cause: error },
        );
      }
    }
  }

  info(): LibraryInfo {
    return {
      dir: this.store.dir,
      defaultDir: this.defaultDir,
      total: this.store.count(),
      ...(this.#notice ? { notice: this.#notice } : {}),
      moving: this.store.moving,
    };
  }

  /** One page of the jobs matching the query, as the gallery shows them. */
  list(query: LibraryQuery): LibraryPage {
    return this.store.list(query);
  }

  /** What the jobs matching the query cost. */
  spend(query: LibraryQuery): Spend {
    return this.store.spend(query);
  }

  detail(id: string): JobDetail {
    return this.store.detail(id);
  }

  dismissNotice(): null {
    this.#notice = undefined;
    return null;
  }

  /** Checks the image the renderer decoded (a real JPEG/PNG of sane size) and keeps it as the job's poster. */
  async savePoster(id: string, image: PosterImage): Promise<{ posterUrl: string }> {
    const bytes = Buffer.from(image.base64, 'base64');
    if (bytes.byteLength === 0 || bytes.byteLength > MAX_POSTER_BYTES)
      throw new AppError('invalid_input', 'A poster must be an image under 4 MB.');
    const format = image.mime === 'image/jpeg' ? 'jpeg' : 'png';
    let meta;
    try {
      meta = await sharp(bytes, { failOn: 'error' }).metadata();
    } catch (error) {
      throw new AppError('invalid_input', 'The poster is not a readable image.', { cause: error });
    }
    if (meta.format !== format) throw new AppError('invalid_input', `The poster is not a ${format.toUpperCase()} image.`);
    if ((meta.width ?? 0) > MAX_POSTER_SIDE || (meta.height ?? 0) > MAX_POSTER_SIDE) {
      throw new AppError('invalid_input', `A poster is at most ${MAX_POSTER_SIDE} pixels wide and high.`);
    }
    const name = format === 'jpeg' ? 'poster.jpg' : 'poster.png';
    await this.store.addFile(id, { kind: 'poster', name, bytes });
    const summary = this.store.detail(id);
    return { posterUrl: summary.posterUrl! };
  }

  async setFavourite(id: string, favourite: boolean): Promise<JobDetail> {
    await this.store.setFavourite(id, favourite);
    return this.store.detail(id);
  }

  async delete(id: string): Promise<null> {
    mustBeClosed(this.store.require(id));
    await this.store.delete(id);
    return null;
  }

  async saveVideoAs(id: string): Promise<{ path?: string }> {
    const record = this.store.require(id);
    const video = record.files.find((file) => file.kind === 'video' && file.complete);
    if (!video) throw new AppError('not_found', 'This job has no video to save yet.');
    const path = await this.options.platform.showSaveDialog({
      title: 'Save video as',
      defaultName: videoFileName(record),
      filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
    });
    if (!path) return {};
    try {
      await copyFile(this.store.fileOf(id, video.name), path);
    } catch (error) {
      throw new AppError('io', `Keyframe could not save the video to ${path}. Check that the folder is writable and has space.`, {
        cause: error,
      });
    }
    return { path };
  }

  reveal(id: string): null {
    const record = this.store.require(id);
    const video = record.files.find((file) => file.kind === 'video' && file.complete);
    this.options.platform.revealInFolder(video ? this.store.fileOf(id, video.name) : this.store.folderOf(id));
    return null;
  }

  /** Asks for a folder, then moves the library there (see move.ts) and remembers it in the settings. */
  async move(): Promise<MoveResult> {
    if (this.store.moving) throw new AppError('invalid_input', 'The library is already being moved.');
    this.store.mustBeWritable();
    const [target] = await this.options.platform.showOpenDialog({
      title: 'Move the library to…',
      filters: [],
      directory: true,
    });
    if (!target) return { moved: false, dir: this.store.dir };
    const emit = (progress: Parameters<Parameters<LibraryStore['moveTo']>[2]>[0]) =>
      this.options.events.emit('library:moveProgress', progress);
    try {
      const { warning } = await this.store.moveTo(
        target,
        async (dir) => {
          await this.options.settings.set({ libraryDir: dir === this.defaultDir ? '' : dir });
        },
        emit,
      );
      if (this.#notice?.kind === 'unavailable') this.#notice = undefined;
      emit({ phase: 'done', copiedBytes: 0, totalBytes: 0 });
      return { moved: true, dir: this.store.dir, ...(warning ? { warning } : {}) };
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'The library could not be moved; it stays where it was.';
      emit({ phase: 'failed', copiedBytes: 0, totalBytes: 0, message });
      if (error instanceof AppError) throw error;
      this.options.log.error('library', 'move failed', error);
      throw new AppError('io', `The library could not be moved to ${target}; it stays where it was. ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
