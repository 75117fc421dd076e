/**
 * User settings in `settings.json` under the user-data folder. A damaged file is kept aside as
 * `settings.json.damaged-<time>` and replaced by defaults, and the log says where the copy is.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Settings } from '../contract';
import type { SettingsPatch } from '../contract';
import type { EventBus } from './events';
import { readJson, writeJsonAtomic } from './json-file';
import type { Logger } from './log';

export class SettingsStore {
  readonly path: string;
  #current: Settings = Settings.parse({});
  #queue: Promise<unknown> = Promise.resolve();
  #listeners = new Set<(settings: Settings) => void>();

  constructor(
    userDataDir: string,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {
    this.path = join(userDataDir, 'settings.json');
  }

  async load(): Promise<Settings> {
    let raw: unknown;
    try {
      raw = await readJson(this.path);
    } catch (error) {
      raw = await this.#setAside(error);
    }
    const parsed = Settings.safeParse(raw ?? {});
    this.#current = parsed.success ? parsed.data : Settings.parse((await this.#setAside(parsed.error)) ?? {});
    return this.get();
  }

  get(): Settings {
    return structuredClone(this.#current);
  }

  /** Calls `listener` after every change (services that depend on a setting); returns the function that stops it. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies a patch, writes it to disk, and tells the services that listen and the renderer. Writes are serialised. The renderer's
   * patches are `SettingsPatch`; main's services may also set fields the renderer cannot (libraryDir).
   */
  async set(patch: SettingsPatch | Partial<Settings>): Promise<Settings> {
    const next = Settings.parse(mergePatch(this.#current, patch));
    const write = this.#queue.then(() => writeJsonAtomic(this.path, next));
    this.#queue = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      throw new AppError('io', `Keyframe could not save its settings to ${this.path}. Check that the folder is writable.`, {
        cause: error,
      });
    }
    this.#current = next;
    for (const listener of this.#listeners) listener(this.get());
    this.events.emit('settings:changed', this.get());
    return this.get();
  }

  async #setAside(reason: unknown): Promise<undefined> {
    const aside = `${this.path}.damaged-${Date.now()}`;
    try {
      await rename(this.path, aside);
      this.log.warn('settings', `settings file was damaged; kept a copy at ${aside} and started from defaults`, reason);
    } catch (error) {
      this.log.warn('settings', 'settings file was damaged and could not be moved aside', error);
    }
    return undefined;
  }
}

/** A patch's nested objects (e.g. `hosting.s3`) change only the fields they name. */
export function mergePatch<T extends object>(current: T, patch: object): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    const before = next[key];
    const bothObjects = [before, value].every((item) => item !== null && typeof item === 'object' && !Array.isArray(item));
    next[key] = bothObjects ? mergePatch(before as object, value as object) : value;
  }
  return next as T;
}
