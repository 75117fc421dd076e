/**
 * Exporting the open storyboard: one MP4 of the picked takes and a JSON sidecar. Main asks where
 * to save, reports progress as it writes, and can be cancelled; the result can be shown in its folder.
 * Takes main cannot join as they are come back as a ticket: they are re-encoded here (WebCodecs,
 * lib/reencode-cut.ts) and the bytes go to the file main opened for them.
 */
import type { ExportProgress, ExportResult, ExportTicket, StoryboardId } from '$contract';
import { bridge, call } from '../lib/bridge';
import { toBase64 } from '../lib/bytes';
import { handleError, toasts } from './toasts.svelte';

export type ExportView =
  | { phase: 'idle' }
  | { phase: 'running'; fraction: number; message: string; cancelling?: boolean }
  | { phase: 'done'; path: string; mode?: 'remux' | 'reencode'; durationS?: number }
  | { phase: 'failed'; message: string };

export class BoardExport {
  #views = $state<Record<StoryboardId, ExportView>>({});
  /** Stops a re-encode running here (not shown, so not state). */
  #aborts: Partial<Record<StoryboardId, AbortController>> = {};

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
      let result: ExportResult = await call(bridge().storyboard.export(id));
      if (result.reencode) result = await this.#reencode(id, result.reencode);
      if (!result.path) this.#views[id] = { phase: 'idle' };
      else this.#views[id] = { phase: 'done', path: result.path, mode: result.mode, durationS: result.durationS };
    } catch (error) {
      const view = this.view(id);
      // Cancelled: main's "cancelled" may have come first and set it idle already.
      if (view.phase === 'idle' || (view.phase === 'running' && view.cancelling)) this.#views[id] = { phase: 'idle' };
      else this.#views[id] = { phase: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  async cancel(id: StoryboardId): Promise<void> {
    const view = this.view(id);
    if (view.phase !== 'running') return;
    this.#views[id] = { ...view, cancelling: true, message: 'Cancelling…' };
    this.#aborts[id]?.abort();
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

  /** Encodes the ticket's takes into main's file, chunk by chunk; a failure here tells main to drop it. */
  async #reencode(id: StoryboardId, ticket: ExportTicket): Promise<ExportResult> {
    const abort = new AbortController();
    this.#aborts[id] = abort;
    const show = (fraction: number, message: string) => {
      const view = this.view(id);
      if (view.phase === 'running' && !view.cancelling) this.#views[id] = { ...view, fraction, message };
    };
    show(0, 'Re-encoding the takes (they differ in size or format)…');
    try {
      // mediabunny is half the renderer's code and only this needs it: it loads on the first re-encode.
      const { reencodeCut } = await import('../lib/reencode-cut');
      abort.signal.throwIfAborted();
      await reencodeCut(ticket.takes, {
        send: async (position, data) => {
          await call(bridge().storyboard.writeExport(ticket.uploadId, position, toBase64(data)));
        },
        onProgress: (fraction) => show(fraction, 'Re-encoding the takes (they differ in size or format)…'),
        signal: abort.signal,
      });
      show(1, 'Checking the cut…');
      return await call(bridge().storyboard.finishExport(ticket.uploadId));
    } catch (error) {
      if (!abort.signal.aborted) {
        // Shown before main drops the partial file, so its "cancelled" does not stand in for the reason.
        this.#views[id] = { phase: 'failed', message: error instanceof Error ? error.message : String(error) };
        await call(bridge().storyboard.cancelExport(id)).catch(() => {});
      }
      throw error;
    } finally {
      delete this.#aborts[id];
    }
  }

  #progress(progress: ExportProgress): void {
    const view = this.view(progress.id);
    if (progress.phase === 'checking' || progress.phase === 'writing') {
      if (view.phase === 'running') this.#views[progress.id] = { ...view, fraction: progress.fraction, message: progress.message };
    } else if (progress.phase === 'cancelled') {
      if (view.phase !== 'running') return;
      this.#views[progress.id] = { phase: 'idle' };
      toasts.show(progress.message); // "Export cancelled; nothing was left behind.
    } else if (progress.phase === 'failed') {
      this.#views[progress.id] = { phase: 'failed', message: progress.message };
    }
  }
}

export const boardExport = new BoardExport();
