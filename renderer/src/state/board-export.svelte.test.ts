import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExportProgress, Result } from '$contract';
import { BoardExport } from './board-export.svelte';
import { toasts } from './toasts.svelte';

const BOARD = 'sb-20260101-000000-abcdef';
const TICKET = {
  uploadId: 'a'.repeat(32),
  takes: [{ url: 'take-1.mp4', label: 'Shot 1' }],
  durationS: 5,
  reason: 'The takes differ in size.',
};
const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

const reencodeCut = vi.hoisted(() => vi.fn());
vi.mock('../lib/reencode-cut', () => ({ reencodeCut }));

/** A fake main that asks for a re-encode and, as main does, announces "cancelled" when the export is dropped. */
function fakeMain() {
  const listeners: ((progress: ExportProgress) => void)[] = [];
  const storyboard = {
    export: vi.fn(() => ok({ reencode: TICKET })),
    cancelExport: vi.fn(() => {
      for (const listener of listeners)
        listener({ id: BOARD, phase: 'cancelled', fraction: 0, message: 'Export cancelled; nothing was left behind.' });
      return ok(null);
    }),
    writeExport: vi.fn(() => ok(null)),
    finishExport: vi.fn(() => ok({ path: '/out/cut.mp4', mode: 'reencode', durationS: 5 })),
  };
  const on = { storyboardExportProgress: (listener: (progress: ExportProgress) => void) => (listeners.push(listener), () => {}) };
  window.keyframe = { storyboard, on } as never;
  return storyboard;
}

describe('a re-encoded export', () => {
  afterEach(() => {
    delete window.keyframe;
    reencodeCut.mockReset();
    for (const toast of toasts.items) toasts.dismiss(toast.id);
  });

  it('that fails says why, and main is told to drop the partial file', async () => {
    const main = fakeMain();
    const exports = new BoardExport();
    exports.listen();
    reencodeCut.mockRejectedValue(new Error('Take 2 could not be decoded.'));
    await exports.start(BOARD);
    flushSync();
    expect(exports.view(BOARD)).toEqual({ phase: 'failed', message: 'Take 2 could not be decoded.' });
    expect(main.cancelExport).toHaveBeenCalledWith(BOARD);
    expect(toasts.items.map((toast) => toast.message)).not.toContain('Export cancelled; nothing was left behind.');
  });

  it('that the user cancels ends quietly, with main saying nothing was left behind', async () => {
    const main = fakeMain();
    const exports = new BoardExport();
    exports.listen();
    reencodeCut.mockImplementation(
      (_takes, options: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason))),
    );
    const started = exports.start(BOARD);
    await vi.waitFor(() => expect(reencodeCut).toHaveBeenCalled());
    await exports.cancel(BOARD);
    await started;
    flushSync();
    expect(exports.view(BOARD)).toEqual({ phase: 'idle' });
    expect(main.cancelExport).toHaveBeenCalledTimes(1);
    expect(toasts.items.map((toast) => toast.message)).toContain('Export cancelled; nothing was left behind.');
  });

  it('that works ends with the file main wrote', async () => {
    fakeMain();
    const exports = new BoardExport();
    reencodeCut.mockResolvedValue(undefined);
    await exports.start(BOARD);
    expect(exports.view(BOARD)).toEqual({ phase: 'done', path: '/out/cut.mp4', mode: 'reencode', durationS: 5 });
  });
});
