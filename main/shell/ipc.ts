/**
 * Wires the contract to Electron IPC: one `ipcMain.handle` per contract method, all through the
 * dispatcher, with the sender checked (our window's main frame, on our own page). The only file
 * that may import `ipcMain` (a lint rule enforces it).
 */
import { ipcMain } from 'electron';
import type { BrowserWindow } from 'electron';
import { methodNames } from '../contract';
import type { Dispatch } from '../ipc/dispatcher';
import type { EventBus } from '../services/events';
import { isTrustedSender } from './trusted-origin';

export function registerIpc(dispatch: Dispatch, getWindow: () => BrowserWindow | undefined, appEntry: string): void {
  for (const name of methodNames) {
    ipcMain.handle(name, (event, ...args: unknown[]) => dispatch(name, args, { trusted: isTrustedSender(event, getWindow(), appEntry) }));
  }
}

/** Forwards service events to the window once its page has loaded; earlier events are queued. */
export function forwardEvents(events: EventBus, window: BrowserWindow): void {
  let ready = false;
  const queued: [string, unknown][] = [];
  window.webContents.on('did-start-loading', () => (ready = false));
  window.webContents.on('did-finish-load', () => {
    ready = true;
    for (const [name, payload] of queued.splice(0)) window.webContents.send(name, payload);
  });
  const stop = events.listen((name, payload) => {
    if (window.isDestroyed()) return;
    if (ready) window.webContents.send(name, payload);
    else queued.push([name, payload]);
  });
  window.on('closed', stop);
}
