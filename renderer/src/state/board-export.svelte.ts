/**
 * Exporting the open storyboard: one MP4 of the picked takes and a JSON sidecar. Main asks where
 * to save, reports progress as it writes, and can be cancelled; the result can be shown in its folder.
 */
import type { ExportProgress, StoryboardId } from '$contract';
import { bridge, call } from '../lib/bridge';
import { handleError } from './toasts.svelte';

export type ExportView =
  | { phase: 'idle' }
  | { phase: 'running'; fraction: number; message: string; cancelling?: boolean }
  | { phase: 'done'; path: string; mode?: 'remux' | 'reencode'; durationS?: number }
  | { phase: 'failed'; message: string };

export class BoardExport {
  #views = $state<Record<StoryboardId, ExportView>>({});

  view(id: StoryboardId): ExportView {
    return this.#views[id] ?? { phase: 'idle' };
  }

  listen(): () => void {
    return bridge().on.storyboardExportProgress((progress) => this.#progress(progress));
  }

  async start(id: StoryboardId): Promise<void> {
    if (this.view(id).phase === 'running') return;
    this.#views[id] = { phase: 'running', fraction: 0, message: 'Choosing where to save…' };
    try {
      const result = await call(bridge().storyboard.export(id));
      if (!result.path) this.#views[id] = { phase: 'idle' };
      else this.#views[id] = { phase: 'done', path: result.path, mode: result.mode, durationS: result.durationS };
    } catch (error) {
      const view = this.view(id);
      if (view.phase === 'running' && view.cancelling) this.#views[id] = { phase: 'idle' };
      else this.#views[id] = { phase: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  async cancel(id: StoryboardId): Promise<void> {
    const view = this.view(id);
    if (view.phase !== 'running') return;
    this.#views[id] = { ...view, cancelling: true, message: 'Cancelling…' };
    try {
      await call(bridge().storyboard.cancelExport(id));
    } catch (error) {
      handleError(error, 'The export could not be cancelled');
    }
  }

  async reveal(path: string): Promise<void> {
    try {
      await call(bridge().storyboard.revealExport(path));
    } catch (error) {
      handleError(error, 'The folder could not be shown');
    }
  }

  dismiss(id: StoryboardId): void {
    this.#views[id] = { phase: 'idle' };
  }

  #progress(progress: ExportProgress): void {
    const view = this.view(progress.id);
    if (progress.phase === 'checking' || progress.phase === 'writing') {
      if (view.phase === 'running') this.#views[progress.id] = { ...view, fraction: progress.fraction, message: progress.message };
    } else if (progress.phase === 'cancelled') {
      this.#views[progress.id] = { phase: 'idle' };
    } else if (progress.phase === 'failed') {
      this.#views[progress.id] = { phase: 'failed', message: progress.message };
    }
  }
}

export const boardExport = new BoardExport();
