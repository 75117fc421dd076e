/**
 * Frames in main: takes a frame in (dialog path, bytes, or http(s) address), stages a copy, inspects
 * it from its header, validates it, and answers at once; then decodes it fully in the background and
 * reports integrity with a `frames:integrity` event. Fixes write new staged copies.
 *
 * The renderer refers to frames by id only; paths never come from the renderer, so it cannot make
 * main read an arbitrary file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sharp } from '../image-engine';
import { AppError } from '../../contract';
import type { AddFrameBytes, FixKind, Frame, FrameRole, HeadVerdict } from '../../contract/frames';
import { MAX_SOURCE_BYTES } from '../../contract/frames';
import { formatBytes, formatName } from '../../contract/format';
import { acceptedExtensions } from '../../contract/model';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import { decodeBmp } from './bmp';
import { fetchImage } from './fetch-url';
import type { FetchLimits } from './fetch-url';
import { offerFixes, planFix, renderFix } from './fix';
import { fileProblem, FrameInputError, inspectBuffer, sizeOfImageFile } from './inspect';
import { checkIntegrity, errorText } from './integrity';
import type { Inspection } from './inspect';
import { Staging, sha256 } from './staging';
import type { StagedFile } from './staging';
import { allPass, validate } from './validate';

/** Formats a browser can show; others get a PNG preview next to the staged copy. */
const browserFormats = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);
const PREVIEW_SIDE = 1600;
const extensionFor: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'avif',
  tiff: 'tiff',
  heif: 'heif',
  bmp: 'bmp',
};
/** Staged frames older than this are removed at start-up. */
export const STAGING_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** What main keeps per frame; `frame` is what the renderer sees. */
export interface StagedFrame {
  frame: Frame;
  path: string;
  inspection: Inspection;
  /** Settles when the full decode is done (never rejects). */
  integrityChecked: Promise<void>;
}

export interface FrameServiceOptions {
  stagingDir: string;
  mediaUrl: (relativePath: string) => string;
  events: EventBus;
  log: Logger;
  platform: Platform;
  fetchLimits?: FetchLimits;
}

export class FrameService {
  readonly staging: Staging;
  #frames = new Map<string, StagedFrame>();
  #decodeQueue: Promise<void> = Promise.resolve();

  constructor(private readonly options: FrameServiceOptions) {
    this.staging = new Staging(options.stagingDir);
  }

  async init(): Promise<void> {
    await this.staging.init();
    const removed = await this.staging.sweep(STAGING_MAX_AGE_MS);
    if (removed) this.options.log.info('frames', `removed ${removed} staged frame(s) older than 7 days`);
  }

  /** Opens the system file dialog; resolves to the staged frame, or null when the user cancels. */
  async pick(role: FrameRole): Promise<Frame | null> {
    const [path] = await this.options.platform.showOpenDialog({
      title: role === 'start' ? 'Choose the start frame' : 'Choose the end frame',
      filters: [
        { name: 'Images', extensions: [...acceptedExtensions, 'tif', 'tiff', 'heic', 'heif', 'bmp'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    if (!path) return null;
    return this.addPath(path);
  }

  /** Stages a file on disk (from the dialog, the CLI, or a storyboard's keyframe, shown by its own `name`). */
  async addPath(path: string, name = basename(path)): Promise<Frame> {
    const size = await sizeOfImageFile(path);
    if (size > MAX_SOURCE_BYTES) throw sourceTooLarge(size);
    const bytes = await readFile(path).catch((error: unknown) => {
      throw fileProblem(error);
    });
    return this.#add(bytes, name);
  }

  /** Stages bytes from a drop, a paste, a video frame grab or the library. */
  async addBytes({ name, data }: AddFrameBytes): Promise<Frame> {
    const bytes = decodeBase64(data);
    if (bytes.length > MAX_SOURCE_BYTES) throw sourceTooLarge(bytes.length);
    return this.#add(bytes, name);
  }

  /**
   * The verdict from the first bytes of a large file, so the renderer can show it while the whole
   * file is still being sent. Null when those bytes are not enough; the full upload then decides.
   */
  async inspectHead({ size, head }: { size: number; head: string }): Promise<HeadVerdict> {
    try {
      const inspection = await inspectBuffer(decodeBase64(head), size);
      const { format, width, height, bytes } = inspection;
      return { format, width, height, bytes, ratio: width / height, checks: validate(inspection) };
    } catch {
      return null;
    }
  }

  /** Downloads and stages an http(s) address; the frame remembers it so it can be sent as is. */
  async addUrl({ url }: { url: string }): Promise<Frame> {
    const download = await fetchImage(url, this.options.fetchLimits);
    try {
      return await this.#add(download.bytes, download.name, url);
    } catch (error) {
      if (error instanceof FrameInputError && error.problem === 'html') {
        throw new FrameInputError(
          'html',
          'This address leads to a web page, not an image. Open the page, right-click the image and copy the image address instead.',
        );
      }
      throw error;
    }
  }

  /** Writes a corrected copy of a frame (the frame itself is left as it is) and returns the new frame. */
  async fix({ id, kind }: { id: string; kind: FixKind }): Promise<Frame> {
    const staged = this.#get(id);
    if (!staged.frame.fixes.some((offer) => offer.kind === kind)) {
      throw new AppError('invalid_input', `“${kind}” does not apply to this frame.`);
    }
    const started = performance.now();
    const output = await renderFix({ path: staged.path, inspection: staged.inspection }, planFix(kind, staged.inspection));
    this.options.log.info('frames', `fix ${kind} of ${id} took ${Math.round(performance.now() - started)} ms`);
    const name = fixedName(staged.frame.name, kind, output.format);
    return this.#add(output.data, name, undefined, { id, kind });
  }

  /** The frame's current state (integrity included). */
  get(id: string): Frame {
    return structuredClone(this.#get(id).frame);
  }

  /**
   * For the job runner: the staged file behind a frame, once its integrity check is done. Compare
   * `frame.sha256` with the file's bytes at upload time to catch a changed or vanished copy.
   */
  async staged(id: string): Promise<StagedFrame> {
    const staged = this.#get(id);
    await staged.integrityChecked;
    return staged;
  }

  #get(id: string): StagedFrame {
    const staged = this.#frames.get(id);
    if (!staged)
      throw new AppError('not_found', 'This frame is no longer known to Keyframe (it may be from before a restart). Pick it again.');
    return staged;
  }

  async #add(bytes: Buffer, name: string, sourceUrl?: string, fixedFrom?: Frame['fixedFrom']): Promise<Frame> {
    const inspection = await inspectBuffer(bytes);
    const [file, digest] = await Promise.all([this.staging.write(bytes, extensionFor[inspection.format]), sha256(bytes)]);
    const preview = browserFormats.has(inspection.format) ? undefined : await this.#writePreview(file, bytes, inspection);
    const checks = validate(inspection);
    const frame: Frame = {
      id: file.id,
      name: cleanName(name),
      mediaUrl: this.options.mediaUrl(preview?.relativePath ?? file.relativePath),
      ...(sourceUrl ? { sourceUrl } : {}),
      format: inspection.format,
      width: inspection.width,
      height: inspection.height,
      bytes: inspection.bytes,
      ratio: inspection.width / inspection.height,
      orientation: inspection.orientation,
      pages: inspection.pages,
      ...(inspection.pages > 1
        ? { animationNote: `Animated ${formatName(inspection.format)}, ${inspection.pages} frames: the model sees the first frame only.` }
        : {}),
      checks,
      accepted: allPass(checks),
      fixes: offerFixes(inspection, checks),
      integrity: 'pending',
      sha256: digest,
      ...(fixedFrom ? { fixedFrom } : {}),
    };
    const staged: StagedFrame = { frame, path: file.path, inspection, integrityChecked: Promise.resolve() };
    this.#frames.set(frame.id, staged);
    staged.integrityChecked = this.#checkIntegrity(staged);
    return structuredClone(frame);
  }

  /** A preview a browser can show, for TIFF, HEIF and BMP. Decoding it also proves the pixels are all there. */
  async #writePreview(file: StagedFile, bytes: Buffer, inspection: Inspection): Promise<StagedFile> {
    try {
      const image =
        inspection.format === 'bmp'
          ? (() => {
              const raw = decodeBmp(bytes);
              return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
            })()
          : sharp(bytes, { failOn: 'error', autoOrient: true });
      const png = await image.resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
      return await this.staging.write(png, 'png', `${file.id}.preview`);
    } catch (error) {
      throw new FrameInputError('damaged', `This ${formatName(inspection.format)} image cannot be decoded: ${errorText(error)}.`, error);
    }
  }

  /** Full decode in the background, one at a time so a burst of frames cannot hog the CPU. */
  #checkIntegrity(staged: StagedFrame): Promise<void> {
    const run = async () => {
      const { frame } = staged;
      const problem = await checkIntegrity(staged.path, staged.inspection);
      frame.integrity = problem ? 'corrupt' : 'ok';
      if (problem) frame.integrityMessage = problem;
      this.options.events.emit('frames:integrity', { id: frame.id, integrity: frame.integrity, ...(problem ? { message: problem } : {}) });
    };
    const next = this.#decodeQueue.then(run, run);
    this.#decodeQueue = next;
    return next;
  }
}

function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.normalize('NFC').slice(0, 200) || 'image';
}

function fixedName(name: string, kind: FixKind, format: string): string {
  const stem = name.replace(/\.[^.]{1,5}$/, '').replace(/ \((?:shrink|upscale|crop|pad|convert|first-frame|upright|all)\)$/, '');
  return `${stem} (${kind}).${extensionFor[format]}`;
}

/** Node's decoder skips characters that are not base64, so a mismatch in length means bad data. */
function decodeBase64(data: string): Buffer {
  const bytes = Buffer.from(data, 'base64');
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding) {
    throw new AppError('invalid_argument', 'The file data did not arrive intact (it is not valid base64). Try again.');
  }
  return bytes;
}

function sourceTooLarge(size: number): FrameInputError {
  return new FrameInputError(
    'too-large',
    `This file is ${formatBytes(size)}; Keyframe takes frames up to ${formatBytes(MAX_SOURCE_BYTES)}. Shrink it in an image editor first.`,
  );
}
