/** The renderer's copy of the user's settings, kept in step with main through `settings:changed`. */
import type { Settings, SettingsPatch } from '$contract';
import { bridge, call } from '../lib/bridge';
import { Live } from './live.svelte';

export class SettingsState {
  #settings = new Live(() => call(bridge().settings.get()), { changed: (on) => bridge().on.settingsChanged(on) });

  get value(): Settings | undefined {
    return this.#settings.value;
  }

  load(): Promise<void> {
    return this.#settings.load();
  }

  async update(patch: SettingsPatch): Promise<void> {
    this.#settings.set(await call(bridge().settings.set(patch)));
  }

  listen(): () => void {
    return this.#settings.listen();
  }
}

export const settings = new SettingsState();
