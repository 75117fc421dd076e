/**
 * The Storyboard's speed, on a full board made through the app's own services (support/board.ts):
 * 30 keyframes (the contract's MAX_KEYFRAMES), so 29 shots, each with 2 finished takes in the library.
 *   - `storyboard:get` on the real service: cold (the first after the services start, over several
 *     restarts) and warm; target < 100 ms;
 *   - in Chromium against the carrier, the built renderer: from the click that opens the board in the
 *     list to the board painted and usable across the window (its cards there in the DOM, the shot
 *     cards built with their prompt editors and takes, then the next frame), target < 100 ms, and to
 *     the paint with every card of the board in the DOM, shown beside it: cold (the
 *     first open in a new renderer process, several times, once Chromium's processes are quiet; and,
 *     without a target, clicked while Chromium still starts the new page's other processes) and warm
 *     (after a few opens that let V8 optimise); and scrolling the strip to its far end until the last
 *     card there is built;
 *   - the player's seam: "Seam preview" played across several seams, timed inside the page with
 *     `requestVideoFrameCallback` on both <video> elements and the moment the front one swaps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Benchmark, Figure } from './figure';
import { machineLoad, median, percentile } from './figure';
import { FRAME_MS, seedBoard } from './support/board';
import { benchServices, chromiumQuiet, openApp, rendererBuilt } from './support/gallery-page';
import type { BenchWindow } from './support/gallery-page';

const KEYFRAMES = 30;
const OPEN_TARGET_MS = 100;
const RESTARTS = 5;
const WARM_GETS = 50;
/**
 * Each in a new renderer process (nothing compiled, no style or font looked up yet), clicked once
 * the list has settled and Chromium's processes are quiet.
 */
const COLD_OPENS = 9;
/** Also in new renderers, clicked while Chromium still starts the processes of a new page. */
const COLD_BUSY_OPENS = 3;
/** Opens while V8 is still optimising the code they run, then the ones measured as warm. */
const WARMING_OPENS = 3;
const WARM_OPENS = 15;
const SEAMS = 8;

const spread = (samples: number[]) => `p50 ${median(samples).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms`;

async function serviceFigures(): Promise<Figure[]> {
  const userData = await mkdtemp(join(tmpdir(), 'kf-bench-board-'));
  const open = () => benchServices(userData, '/media/');
  try {
    let services = await open();
    const board = await seedBoard(services, userData, KEYFRAMES);
    const bytes = JSON.stringify(board).length;
    await services.close();
    const cold: number[] = [];
    const warm: number[] = [];
    for (let restart = 0; restart < RESTARTS; restart++) {
      services = await open();
      let t0 = performance.now();
      services.storyboard.get(board.id);
      cold.push(performance.now() - t0);
      for (let i = 0; i < WARM_GETS; i++) {
        t0 = performance.now();
        services.storyboard.get(board.id);
        warm.push(performance.now() - t0);
      }
      await services.close();
    }
    const label = `${KEYFRAMES} keyframes, ${board.shots.length} shots × 2 takes`;
    return [
      {
        name: `storyboard:get, ${label}, cold: first after start (p95 of ${RESTARTS} starts)`,
        value: percentile(cold, 95),
        unit: 'ms',
        target: `< ${OPEN_TARGET_MS} ms`,
        meetsTarget: percentile(cold, 95) < OPEN_TARGET_MS,
        note: `${spread(cold)}; board ${(bytes / 1024).toFixed(0)} KB as JSON; ${machineLoad()}`,
      },
      {
        name: `storyboard:get, ${label}, warm (p95 of ${warm.length})`,
        value: percentile(warm, 95),
        unit: 'ms',
        target: `< ${OPEN_TARGET_MS} ms`,
        meetsTarget: percentile(warm, 95) < OPEN_TARGET_MS,
        note: `${spread(warm)}; ${machineLoad()}`,
      },
    ];
  } finally {
    await rm(userData, { recursive: true, force: true });
  }
}

/**
 * In the page: clicks "Open NAME" and resolves with two times. `ms`: after the next paint once the
 * board is usable as far as the window shows: the keyframe cards and shot cards across the whole
 * visible width of the strip in the DOM, each keyframe card there with its four tool buttons, each
 * shot card there built with its prompt editor and take tiles (images and videos decode after this). `completeMs`: after the paint in which every keyframe
 * and shot card of the board is in the DOM (the strip beyond the window is put in just after the
 * first paint; cards further along are built as they come near). Also the cards built by then.
 */
function timeBoardOpen(
  page: Page,
  name: string,
  counts: { keyframes: number; shots: number; takesPerShot: number },
): Promise<{ ms: number; completeMs: number; built: number }> {
  return page.evaluate(
    async ([name, counts]) => {
      const t0 = performance.now();
      document.querySelector<HTMLButtonElement>(`button[aria-label="Open ${name}"]`)!.click();
      /** The cards of `testid` that the strip shows, or undefined unless the DOM holds them past its visible right edge. */
      const acrossView = (strip: DOMRect, testid: string, total: number) => {
        const boxes = [...document.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)].map((card) => ({
          card,
          box: card.getBoundingClientRect(),
        }));
        if (boxes.length < total && !boxes.some(({ box }) => box.right >= strip.right)) return undefined;
        return boxes.filter(({ box }) => box.right > strip.left && box.left < strip.right && box.top < innerHeight).map(({ card }) => card);
      };
      const usable = () => {
        const strip = document.querySelector('[data-strip]')?.getBoundingClientRect();
        if (!strip) return false;
        const keyframes = acrossView(strip, 'keyframe', counts.keyframes);
        if (!keyframes?.length || !keyframes.every((card) => card.querySelectorAll('.tools button').length === 4)) return false;
        const shots = acrossView(strip, 'shot', counts.shots);
        return (
          !!shots?.length &&
          shots.every(
            (shot) => shot.dataset['built'] === 'true' && shot.querySelectorAll('[data-testid="take"]').length === counts.takesPerShot,
          )
        );
      };
      const complete = () =>
        document.querySelectorAll('[data-testid="keyframe"]').length === counts.keyframes &&
        document.querySelectorAll('[data-testid="shot"]').length === counts.shots;
      const bench = (window as unknown as BenchWindow).benchPainted;
      const [ms, completeMs] = (await Promise.all([bench(usable), bench(complete)])).map((at) => at - t0);
      return { ms, completeMs, built: document.querySelectorAll('[data-testid="shot"][data-built="true"]').length };
    },
    [name, counts] as const,
  );
}

/**
 * Waits, as a user's hand does, until the list of boards has finished coming in: its pictures
 * loaded and the page idle. Otherwise a cold open would also pay for the rest of the app's start.
 */
function listSettled(page: Page): Promise<void> {
  return page.evaluate(async () => {
    await Promise.all([...document.images].map((image) => image.decode().catch(() => undefined)));
    await new Promise((resolve) => requestIdleCallback(resolve));
  });
}

/**
 * In the page: scrolls the strip to its far end and resolves, after the next paint, once the last
 * shot card there is built with its takes: what a card built on the way costs.
 */
function timeScrollToEnd(page: Page, takesPerShot: number): Promise<number> {
  return page.evaluate(async (takesPerShot) => {
    const strip = document.querySelector<HTMLElement>('[data-strip]')!;
    const last = [...document.querySelectorAll<HTMLElement>('[data-testid="shot"]')].at(-1)!;
    const t0 = performance.now();
    strip.scrollLeft = strip.scrollWidth;
    const ready = () => last.dataset['built'] === 'true' && last.querySelectorAll('[data-testid="take"]').length === takesPerShot;
    return (await (window as unknown as BenchWindow).benchPainted(ready)) - t0;
  }, takesPerShot);
}

/** What Chromium's long animation frames (over 50 ms) spent since the last call: script, and style + layout + paint. */
function longFrames(page: Page): Promise<{ scriptMs: number; renderMs: number }> {
  return page.evaluate(() => {
    // LoAF entries are not in TypeScript's DOM types yet.
    type Loaf = { startTime: number; duration: number; renderStart: number; scripts: { duration: number }[] };
    const global = window as unknown as { benchFrames?: Loaf[] };
    if (!global.benchFrames) {
      const frames: Loaf[] = (global.benchFrames = []);
      new PerformanceObserver((list) => frames.push(...(list.getEntries() as unknown as Loaf[]))).observe({ type: 'long-animation-frame' });
    }
    const frames = global.benchFrames.splice(0);
    return {
      scriptMs: frames.reduce((sum, f) => sum + f.scripts.reduce((s, script) => s + script.duration, 0), 0),
      renderMs: frames.reduce((sum, f) => sum + (f.renderStart ? f.startTime + f.duration - f.renderStart : 0), 0),
    };
  });
}

/** In the page: `storyboard:get` through the bridge (the carrier's WebSocket, as Electron's IPC in the app). */
function timeBridgeGet(page: Page, id: string): Promise<number> {
  return page.evaluate(async (id) => {
    const t0 = performance.now();
    await window.keyframe!.storyboard.get(id);
    return performance.now() - t0;
  }, id);
}

interface SeamSample {
  /**
   * From the last frame of take 1 (its expectedDisplayTime) to the animation frame in which take 2's
   * element comes to the front (its requestAnimationFrame time, which comes before that frame is
   * displayed: so this reads low by up to one display refresh, 16.7 ms).
   */
  hold: number;
  /** From the last frame of take 1 to the first new frame of take 2 that requestVideoFrameCallback reports. */
  nextFrame: number;
  /** Its mediaTime, in frames: 0 is take 2's first frame; 1 means its first frame was already up at the swap. */
  nextFrameIndex: number;
  /** Take 1's last presented frame, counted from its first (shot-a has 72 frames: 71 is its last). */
  lastFrameIndex: number;
}

/**
 * In the page: starts "Seam preview" (the seam already chosen) and, until the player stops, records
 * every frame each <video> presents and the animation frame in which the other element comes to
 * the front. The element in front when it starts plays the end of shot 1; the other, preloaded
 * and sought, shows shot 2.
 */
function playSeam(page: Page): Promise<SeamSample | string> {
  return page.evaluate(
    ([frameMs]) =>
      new Promise<SeamSample | string>((resolve) => {
        const player = document.querySelector<HTMLElement>('[data-testid="board-player"]')!;
        const videos = [...player.querySelectorAll('video')];
        const first = videos.findIndex((v) => v.classList.contains('front'));
        const second = 1 - first;
        const frames: { video: number; at: number; media: number }[] = [];
        let listening = true;
        videos.forEach((video, index) => {
          const onFrame: VideoFrameRequestCallback = (_now, meta) => {
            frames.push({ video: index, at: meta.expectedDisplayTime, media: meta.mediaTime });
            if (listening) video.requestVideoFrameCallback(onFrame);
          };
          video.requestVideoFrameCallback(onFrame);
        });
        let shownAt = NaN;
        const swap = new MutationObserver(() => {
          if (Number.isNaN(shownAt) && videos[second].classList.contains('front'))
            requestAnimationFrame((frameTime) => (shownAt = frameTime));
        });
        swap.observe(videos[second], { attributes: true, attributeFilter: ['class'] });
        const startedAt = performance.now();
        const stopped = new MutationObserver(() => {
          if (player.dataset.playing !== 'false') return;
          stopped.disconnect();
          swap.disconnect();
          listening = false;
          const ownFrames = (video: number) => frames.filter((f) => f.video === video && f.at > startedAt);
          const last = ownFrames(first).at(-1);
          const next = ownFrames(second).find((f) => last && f.at > last.at);
          if (!last || !next || Number.isNaN(shownAt)) return resolve(`incomplete: ${frames.length} frames, shown at ${shownAt}`);
          resolve({
            hold: shownAt - last.at,
            nextFrame: next.at - last.at,
            nextFrameIndex: Math.round((next.media * 1000) / frameMs),
            lastFrameIndex: Math.round((last.media * 1000) / frameMs),
          });
        });
        stopped.observe(player, { attributes: true, attributeFilter: ['data-playing'] });
        [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === 'Seam preview')!.click();
      }),
    [FRAME_MS] as const,
  );
}

async function uiFigures(): Promise<Figure[]> {
  if (!rendererBuilt()) return [{ name: 'storyboard in Chromium', value: NaN, unit: 'ms', note: 'run `npm run build` first' }];
  const app = await openApp(0, true, 1);
  const { services } = app;
  let page = app.page;
  const figures: Figure[] = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'kf-bench-board-frames-'));
    const board = await seedBoard(services, dir, KEYFRAMES, 'Thirty keyframes');
    await rm(dir, { recursive: true, force: true });
    const counts = { keyframes: board.keyframes.length, shots: board.shots.length, takesPerShot: 2 };

    const cold: number[] = [];
    const coldComplete: number[] = [];
    const coldBusy: number[] = [];
    let notQuiet = 0;
    for (let start = 0; start < COLD_OPENS + COLD_BUSY_OPENS; start++) {
      const busy = start % 2 === 1 && coldBusy.length < COLD_BUSY_OPENS;
      const fresh = start === 0 ? page : await app.freshPage();
      await fresh.keyboard.press('Control+4');
      await fresh.getByRole('button', { name: `Open ${board.name}` }).waitFor();
      await listSettled(fresh);
      if (!busy && !(await chromiumQuiet(fresh))) notQuiet++;
      const open = await timeBoardOpen(fresh, board.name, counts);
      if (busy) coldBusy.push(open.ms);
      else {
        cold.push(open.ms);
        coldComplete.push(open.completeMs);
      }
      await fresh.getByTestId('board-player').waitFor();
    }
    page = app.page;
    const warming: number[] = [];
    const warm: number[] = [];
    const warmComplete: number[] = [];
    const built: number[] = [];
    const scrolls: number[] = [];
    const spent: { scriptMs: number; renderMs: number }[] = [];
    for (let i = 0; i < WARMING_OPENS + WARM_OPENS; i++) {
      await page.getByRole('button', { name: 'All storyboards' }).click();
      await page.getByRole('button', { name: `Open ${board.name}` }).waitFor();
      await longFrames(page);
      const open = await timeBoardOpen(page, board.name, counts);
      await page.getByTestId('board-player').waitFor();
      if (i < WARMING_OPENS) {
        warming.push(open.ms);
        continue;
      }
      warm.push(open.ms);
      warmComplete.push(open.completeMs);
      built.push(open.built);
      spent.push(await longFrames(page));
      scrolls.push(await timeScrollToEnd(page, counts.takesPerShot));
    }
    const bridge: number[] = [];
    for (let i = 0; i < 20; i++) bridge.push(await timeBridgeGet(page, board.id));
    const part = (key: 'scriptMs' | 'renderMs') => median(spent.map((m) => m[key])).toFixed(0);
    figures.push(
      {
        name: `open the ${counts.shots}-shot board in Chromium, click to painted, cold: first open in a new renderer, Chromium quiet (p50 of ${cold.length})`,
        value: median(cold),
        unit: 'ms',
        target: `< ${OPEN_TARGET_MS} ms`,
        meetsTarget: median(cold) < OPEN_TARGET_MS,
        note: `${cold.map((ms) => ms.toFixed(0)).join(', ')} ms${notQuiet ? ` (${notQuiet} clicked before Chromium was quiet: it stayed busy)` : ''}; every card in the DOM and painted: ${coldComplete.map((ms) => ms.toFixed(0)).join(', ')} ms; then the next ${warming.length} opens, while V8 still optimises: ${warming.map((ms) => ms.toFixed(0)).join(', ')} ms; ${machineLoad()}`,
      },
      {
        name: `open the ${counts.shots}-shot board in Chromium, cold, clicked while Chromium still starts the new page's other processes (p50 of ${coldBusy.length})`,
        value: median(coldBusy),
        unit: 'ms',
        note: `${coldBusy.map((ms) => ms.toFixed(0)).join(', ')} ms; a bench-only case (each cold sample is a new browser context, and Chromium starts another renderer beside it, busy for about 0.5 s on these 2 cores); ${machineLoad()}`,
      },
      {
        name: `open the ${counts.shots}-shot board in Chromium, warm (p95 of ${warm.length})`,
        value: percentile(warm, 95),
        unit: 'ms',
        target: `< ${OPEN_TARGET_MS} ms`,
        meetsTarget: percentile(warm, 95) < OPEN_TARGET_MS,
        note: `${spread(warm)}; every card in the DOM and painted: ${spread(warmComplete)}; in frames over 50 ms per open (median): script ${part('scriptMs')} ms, style + layout + paint ${part('renderMs')} ms; shot cards built by then: ${median(built)} of ${counts.shots} (the rest as they come near); images decode after this; ${machineLoad()}`,
      },
      {
        name: `scroll the strip to its far end: the last shot card built with its takes and painted (p95 of ${scrolls.length})`,
        value: percentile(scrolls, 95),
        unit: 'ms',
        note: `${spread(scrolls)}; ${machineLoad()}`,
      },
      {
        name: `storyboard:get from the page through the carrier's bridge (p95 of ${bridge.length})`,
        value: percentile(bridge, 95),
        unit: 'ms',
        note: `${spread(bridge)}; the request and the board's JSON both ways; ${machineLoad()}`,
      },
    );

    const seams: SeamSample[] = [];
    const problems: string[] = [];
    await page.getByTestId('board-player').scrollIntoViewIfNeeded();
    // The player puts its <video> pair in once the board has painted; playSeam watches both.
    await page.getByTestId('player-video').nth(1).waitFor({ state: 'attached' });
    for (let seam = 0; seam < SEAMS; seam++) {
      await page.getByRole('combobox', { name: 'Seam to preview' }).selectOption(String(seam));
      const sample = await playSeam(page);
      if (typeof sample === 'string') problems.push(`seam ${seam + 1}: ${sample}`);
      else seams.push(sample);
    }
    if (!seams.length) return [...figures, { name: 'player seam', value: NaN, unit: 'ms', note: problems.join('; ') }];
    const holds = seams.map((s) => s.hold);
    const next = seams.map((s) => s.nextFrame);
    figures.push(
      {
        name: `player seam: take 1's last frame presented to take 2 on screen (p50 of ${seams.length} seams)`,
        value: median(holds),
        unit: 'ms',
        peer: { name: 'one frame at 24 fps', value: FRAME_MS },
        note: `max ${Math.max(...holds).toFixed(1)} ms; up to one frame is seamless; the elements swap visibility, so never a blank; take 1's last frame presented: ${seams.map((s) => s.lastFrameIndex).join(', ')} (its last is 71 for a 3 s take, 47 for a 2 s one); ${machineLoad()}${problems.length ? `; ${problems.join('; ')}` : ''}`,
      },
      {
        name: `player seam: take 1's last frame to take 2's next new frame, both by requestVideoFrameCallback (p50)`,
        value: median(next),
        unit: 'ms',
        peer: { name: 'two frames at 24 fps', value: 2 * FRAME_MS },
        note: `max ${Math.max(...next).toFixed(1)} ms; that frame's index in take 2: ${seams.map((s) => s.nextFrameIndex).join(', ')} (1: its first frame was already up, loaded and sought behind, when the elements swapped)`,
      },
    );
  } finally {
    await app.close();
  }
  return figures;
}

const run: Benchmark = async () => [...(await serviceFigures()), ...(await uiFigures())];

export default run;
