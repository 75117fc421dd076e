/** The gallery in a real Chromium page against the carrier, timed from inside the page (Playwright's round trips are not counted). */
import { chromium } from '@playwright/test';
import type { Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from '../../test/carrier/platform';
import { MEDIA_PREFIX, startCarrier } from '../../test/carrier/server';
import { CHROMIUM_FLAGS } from '../../test/e2e/fixtures';
import { seedLibrary } from '../../test/library/seed';

/** What the search benchmarks type, one keystroke at a time. */
export const TYPED = 'red fox through snow';

export const RENDERER_DIR = join(import.meta.dirname, '..', '..', 'out', 'renderer');
export const rendererBuilt = () => existsSync(join(RENDERER_DIR, 'index.html'));

export interface OpenApp {
  page: Page;
  services: Services;
  /** The app in a new browser context: a new renderer process, nothing compiled or cached yet. */
  freshPage(): Promise<Page>;
  close(): Promise<void>;
}

/** The app's services on `userData`, signed in (no Connect sheet) against an address that refuses connections; jobs are not followed. */
export function benchServices(userData: string, mediaPrefix: string): Promise<Services> {
  return createServices({
    userDataDir: userData,
    shell: 'carrier',
    version: 'bench',
    log: createLogger(() => {}),
    platform: new RecordingPlatform(join(userData, 'Trash')),
    mediaUrl: mediaUrlFor(mediaPrefix),
    env: { RUNCOMFY_TOKEN: 'bench-token', KEYFRAME_API_BASE_URL: 'http://127.0.0.1:9' },
    followJobs: false,
  });
}

/**
 * Runs in the page (openApp installs it as `benchPainted`): resolves with `performance.now()` just
 * after the first frame painted in which `ready()` holds. `ready()` is asked at the start of each
 * animation frame, before that frame's style, layout and paint: a state reached in a task is seen
 * by the next frame's check, and that frame is the first to paint it, so nothing is lost against
 * asking at every DOM change, and a check that reads geometry (the storyboard's "cards in view")
 * never forces a layout the app itself would not do. (Asking at every DOM change did: ~30 forced
 * layouts while a board is built, about 40 ms of a cold open.) The task queued from that animation
 * frame runs after its paint.
 */
function paintedWhen(ready: () => unknown): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (!ready()) return void requestAnimationFrame(check);
      const afterPaint = new MessageChannel();
      afterPaint.port1.onmessage = () => resolve(performance.now());
      afterPaint.port2.postMessage(null);
    };
    requestAnimationFrame(check);
  });
}

/**
 * Runs in the page from its start, after `benchPainted` (openApp installs both): marks
 * `keyframe:first-screen` (a User Timing mark) just after the paint of the first frame in which the
 * app's content is no longer busy (its first calls to main answered, the place on screen).
 */
function markFirstScreen(): void {
  const painted = (globalThis as unknown as BenchWindow).benchPainted;
  void painted(() => document.querySelector('main.content[aria-busy="false"]')).then(() => performance.mark('keyframe:first-screen'));
}

/**
 * Waits until Chromium's processes together (the page's renderer, the browser, the GPU process, and
 * any other renderer Chromium is still starting) have used under 10% of one core in each of two
 * running windows of about 250 ms. A new browser context starts a second renderer with its first
 * page, and it was still starting (about a core for half a second) after the page itself was idle:
 * a click then times the 2 cores' contention, not the app. Resolves false if that has not
 * happened by `timeoutMs`.
 */
export async function chromiumQuiet(page: Page, timeoutMs = 20_000): Promise<boolean> {
  const cdp = await page.context().browser()!.newBrowserCDPSession();
  const sample = async () => {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    return { at: performance.now(), cpuSeconds: new Map(processInfo.map(({ id, cpuTime }) => [id, cpuTime])) };
  };
  try {
    const until = Date.now() + timeoutMs;
    let quietWindows = 0;
    let before = await sample();
    while (quietWindows < 2) {
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 250));
      const after = await sample();
      // A process new since the last sample counts all it has used.
      const used = [...after.cpuSeconds].reduce((sum, [id, seconds]) => sum + seconds - (before.cpuSeconds.get(id) ?? 0), 0);
      quietWindows = used / ((after.at - before.at) / 1000) < 0.1 ? quietWindows + 1 : 0;
      before = after;
    }
    return true;
  } finally {
    await cdp.detach();
  }
}

/** In the page, after openApp. */
export type BenchWindow = Window & { benchPainted: typeof paintedWhen };

/**
 * The real services on a generated library of `jobs` jobs (folders and media, or index rows only),
 * the built renderer in Chromium through the carrier, signed in, on its first screen.
 */
export async function openApp(jobs: number, indexOnly: boolean, seed: number): Promise<OpenApp> {
  const userData = await mkdtemp(join(tmpdir(), 'kf-bench-ui-'));
  await seedLibrary(join(userData, 'library'), { count: jobs, indexOnly, seed });
  const services = await benchServices(userData, MEDIA_PREFIX);
  const carrier = await startCarrier({ services, rendererDir: RENDERER_DIR });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const newPage = async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    // tsx keeps function names with a `__name` helper, which the functions sent to the page would miss.
    await page.addInitScript('globalThis.__name = (fn) => fn');
    await page.addInitScript(`globalThis.benchPainted = ${paintedWhen.toString()}`);
    await page.addInitScript(`(${markFirstScreen.toString()})()`);
    await page.goto(carrier.url);
    await page.getByRole('navigation', { name: 'Places' }).waitFor();
    return page;
  };
  let page = await newPage();
  return {
    get page() {
      return page;
    },
    services,
    freshPage: async () => {
      await page.context().close();
      return (page = await newPage());
    },
    close: async () => {
      await browser.close();
      await carrier.close();
      await services.close();
      await rm(userData, { recursive: true, force: true });
    },
  };
}

/**
 * Runs in the page: does `action`, then waits until the gallery shows at least `minCards` loaded cards
 * for the query `text` (any query when null), and then until that frame is painted (a task queued
 * from the next animation frame runs after its paint); returns the elapsed ms.
 * Measured inside the page so Playwright's own round trips are not counted.
 */
export function timeInPage(
  page: Page,
  action: 'open' | 'type' | 'clear',
  minCards: number,
  text: string | null,
  key = '',
): Promise<number> {
  return page.evaluate(
    async ([action, min, text, key]) => {
      const t0 = performance.now();
      if (action === 'open') window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', ctrlKey: true, bubbles: true }));
      else {
        const input = document.querySelector<HTMLInputElement>('input[type="search"]')!;
        input.value = action === 'clear' ? '' : input.value + key;
        input.dispatchEvent(new InputEvent('input', { bubbles: true, data: key, inputType: 'insertText' }));
      }
      const ready = () => {
        const list = document.querySelector('[role="list"][aria-label="Jobs"]');
        const shown = list?.getAttribute('data-results-for');
        return (
          list &&
          list.getAttribute('aria-busy') === 'false' &&
          (text === null || (shown && JSON.parse(shown).text === text)) &&
          list.querySelectorAll('button.open:not([aria-busy="true"])').length >= (min as number)
        );
      };
      return (await (window as unknown as BenchWindow).benchPainted(ready)) - t0;
    },
    [action, minCards, text, key] as const,
  );
}
