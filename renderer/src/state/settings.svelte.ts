/** The renderer's copy of the user's settings, kept in step with main through `settings:changed`. */
import type { Settings, SettingsPatch } from '../../../main/contract';
import { bridge, call } from '../lib/bridge';

export class SettingsState {
  #value = $state<Settings | undefined>();

  get value(): Settings | undefined {
    return this.#value;
  }

  async load(): Promise<void> {
    this.#value = await call(bridge().settings.get());
  }

  async update(patch: SettingsPatch): Promise<void> {
    this.#value = await call(bridge().settings.set(patch));
  }

  listen(): () => void {
    return bridge().on.settingsChanged((next) => (this.#value = next));
  }
}

export const settings = new SettingsState();
