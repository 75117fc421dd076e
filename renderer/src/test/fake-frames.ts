/** A stand-in for main's frame service behind `window.keyframe`, for renderer tests in jsdom. */
import { vi } from 'vitest';
import type {
  Frame,
  FrameIntegrityEvent,
  HeadVerdict,
  HostingStatus,
  InlinePlan,
  PriceQuote,
  Result,
  RuleCheck,
  RunnerState,
} from '$contract';
import { MODEL_ID } from '$contract/model';
import { queue } from '../state/queue.svelte';

const message = {
  type: 'Accepted file types: jpg, jpeg, png, webp, gif, avif.',
  size: 'File size must be less than 10 MB.',
  side: 'The uploaded image width and height must exceed 300 pixels.',
  ratio: 'The aspect ratio range should be between 0.40 and 2.50.',
};

export function checksFor(width: number, height: number): RuleCheck[] {
  const ratio = width / height;
  const check = (rule: string, measure: string, pass: boolean, actual: string, limit: string, text: string): RuleCheck => ({
    rule,
    measure,
    pass,
    actual,
    detail: pass ? `${actual}, ${limit}` : `${actual}: must be ${limit}`,
    message: text,
  });
  return [
    check('file_type', 'Type', true, 'PNG', '', message.type),
    check('file_size_mb<', 'Size', true, '20 KB', 'under 10 MB', message.size),
    check('width_pixels>', 'Width', width > 300, `${width} px`, 'over 300 px', message.side),
    check('height_pixels>', 'Height', height > 300, `${height} px`, 'over 300 px', message.side),
    check('width/height>', 'Aspect ratio', ratio > 0.4, ratio.toFixed(2), 'over 0.40', message.ratio),
    check('width/height<', 'Aspect ratio', ratio < 2.5, ratio.toFixed(2), 'under 2.50', message.ratio),
  ];
}

let next = 1;
export function frame(width = 800, height = 600, over: Partial<Frame> = {}): Frame {
  const checks = checksFor(width, height);
  const id = `frame-${next++}`;
  const pass = checks.every((check) => check.pass);
  return {
    id,
    name: `${id}.png`,
    mediaUrl: `/media/staging/frames/${id}.png`,
    format: 'png',
    width,
    height,
    bytes: 20_000,
    ratio: width / height,
    orientation: 1,
    pages: 1,
    checks,
    accepted: pass,
    fixes: pass ? [] : [{ kind: 'crop', label: 'Crop to 2.498', description: 'Crops the sides.', rules: ['width/height<'] }],
    integrity: 'ok',
    sha256: '0'.repeat(64),
    ...over,
  };
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function installFakeBridge() {
  const integrityListeners = new Set<(event: FrameIntegrityEvent) => void>();
  const frames = {
    pick: vi.fn(async (): Promise<Result<Frame | null>> => ok(frame())),
    addBytes: vi.fn(async (input: { name: string; data: string }): Promise<Result<Frame>> => ok(frame(800, 600, { name: input.name }))),
    addUrl: vi.fn(async (_input: { url: string }): Promise<Result<Frame>> => ok(frame())),
    inspectHead: vi.fn(async (_input: { size: number; head: string }): Promise<Result<HeadVerdict>> => ok(null)),
    fix: vi.fn(async (_input: { id: string; kind: string }): Promise<Result<Frame>> => ok(frame(999, 400))),
  };
  const jobs = {
    submit: vi.fn(async (request: { prompt: string; duration: 5 | 10; startFrameId: string; endFrameId: string }) =>
      ok({
        id: '20261128-120000-abcdef',
        status: 'queued' as const,
        prompt: request.prompt,
        duration: request.duration,
        createdAt: new Date().toISOString(),
        queuePosition: 2,
        hosts: ['data-uri' as const],
        canCancel: true,
        needsDecision: false,
      }),
    ),
  };
  const hosting = {
    status: vi.fn(async (): Promise<Result<HostingStatus>> =>
      ok({
        mode: 'auto',
        host: 'data-uri',
        summary: 'inline in the request',
        problem: null,
        secretSet: false,
        bucket: { configured: false, missing: [], name: '', endpoint: '' },
        keychainName: 'keyring',
        keychainProblem: null,
      }),
    ),
    inlinePlan: vi.fn(async (_frameId: string): Promise<Result<InlinePlan>> =>
      ok({ kind: 're-encoded', bytes: 2_400_000, fromBytes: 7_500_000, format: 'JPEG' }),
    ),
  };
  const price = {
    get: vi.fn(async (): Promise<Result<PriceQuote>> =>
      ok({ available: true, modelId: MODEL_ID, usdPerUnit: 0.112, unit: 'second', readAt: new Date().toISOString() }),
    ),
  };
  const bridge = {
    frames,
    jobs,
    hosting,
    price,
    settings: { get: vi.fn(), set: vi.fn() },
    app: { info: vi.fn() },
    on: {
      framesIntegrity: (listener: (event: FrameIntegrityEvent) => void) => {
        integrityListeners.add(listener);
        return () => integrityListeners.delete(listener);
      },
      settingsChanged: () => () => {},
      jobsSubmitProgress: () => () => {},
      hostingChanged: () => () => {},
      tokenChanged: () => () => {},
    },
  };
  Object.defineProperty(window, 'keyframe', { value: bridge, configurable: true, writable: true });
  return {
    frames,
    jobs,
    price,
    hosting,
    emitIntegrity: (event: FrameIntegrityEvent) => integrityListeners.forEach((listener) => listener(event)),
  };
}

/** What main's runner reports, as the queue state reads it (e.g. `readOnly` while another process holds the library). */
export async function runnerIs(state: RunnerState): Promise<void> {
  Object.assign((window.keyframe as unknown as { jobs: object }).jobs, {
    list: vi.fn(async () => ok([])),
    state: vi.fn(async () => ok(state)),
  });
  await queue.load();
}
