/** Remembers the window's size, position and maximised state between runs. */
import { screen } from 'electron';
import type { BrowserWindow, Rectangle } from 'electron';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../services/json-file';

interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1280, height: 820 }, maximized: false };

export async function loadWindowState(userDataDir: string): Promise<WindowState & { known: boolean }> {
  const saved = (await readJson(join(userDataDir, 'window-state.json')).catch(() => undefined)) as WindowState | undefined;
  if (!saved?.bounds) return { ...DEFAULT, known: false };
  const visible = screen.getAllDisplays().some(({ workArea: a }) => {
    const b = saved.bounds;
    return b.x < a.x + a.width && b.x + b.width > a.x && b.y < a.y + a.height && b.y + b.height > a.y;
  });
  return visible ? { ...saved, known: true } : { ...DEFAULT, known: false };
}

export function trackWindowState(window: BrowserWindow, userDataDir: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (window.isDestroyed()) return;
      const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
      void writeJsonAtomic(join(userDataDir, 'window-state.json'), state).catch(() => undefined);
    }, 300);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event as 'resize', save);
  window.on('close', save);
}
