/**
 * The carrier's stand-in for Electron's desktop services. It records what the app asked for, so
 * E2E tests can assert it, and does the real thing where it can: `trashItem` moves files into a
 * freedesktop.org trash folder (files/ + info/*.trashinfo), as desktop Linux does.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { assertExternalLinkAllowed } from '../../main/services/external-links';
import type { FileFilter, Platform } from '../../main/services/platform';

export type PlatformCall =
  | { kind: 'notification'; title: string; body: string }
  | { kind: 'trash'; path: string; trashedAs: string }
  | { kind: 'reveal'; path: string }
  | { kind: 'openExternal'; url: string }
  | { kind: 'openDialog'; title: string; filters: FileFilter[]; directory?: boolean }
  | { kind: 'saveDialog'; title: string; defaultName: string; filters: FileFilter[] };

export class RecordingPlatform implements Platform {
  readonly calls: PlatformCall[] = [];
  focused = true;
  /** Answers for the next dialogs, consumed in order; a dialog with no answer is "cancelled". */
  openDialogAnswers: string[][] = [];
  saveDialogAnswers: (string | undefined)[] = [];

  constructor(readonly trashDir: string) {}

  showNotification(notification: { title: string; body: string }): void {
    this.calls.push({ kind: 'notification', ...notification });
  }
  isWindowFocused(): boolean {
    return this.focused;
  }
  async trashItem(path: string): Promise<void> {
    await mkdir(join(this.trashDir, 'files'), { recursive: true });
    await mkdir(join(this.trashDir, 'info'), { recursive: true });
    const trashedAs = `${basename(path)}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
    await rename(path, join(this.trashDir, 'files', trashedAs));
    await writeFile(
      join(this.trashDir, 'info', `${trashedAs}.trashinfo`),
      `[Trash Info]\nPath=${encodeURI(path)}\nDeletionDate=${new Date().toISOString().slice(0, 19)}\n`,
    );
    this.calls.push({ kind: 'trash', path, trashedAs });
  }
  revealInFolder(path: string): void {
    this.calls.push({ kind: 'reveal', path });
  }
  async openExternal(url: string): Promise<void> {
    assertExternalLinkAllowed(url);
    this.calls.push({ kind: 'openExternal', url });
  }
  async showOpenDialog(options: { title: string; filters: FileFilter[]; directory?: boolean }): Promise<string[]> {
    this.calls.push({
      kind: 'openDialog',
      title: options.title,
      filters: options.filters,
      ...(options.directory ? { directory: true } : {}),
    });
    return this.openDialogAnswers.shift() ?? [];
  }
  async showSaveDialog(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | undefined> {
    this.calls.push({ kind: 'saveDialog', ...options });
    return this.saveDialogAnswers.shift();
  }
}
