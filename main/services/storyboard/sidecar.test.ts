import { describe, expect, it } from 'vitest';
import { JobDetail } from '../../contract/library';
import { Storyboard } from '../../contract/storyboard';
import { buildSidecar, sidecarPathFor } from './sidecar';

const sha = (c: string) => c.repeat(64);
const keyframe = (id: string, name: string, c: string) => ({
  id,
  name,
  mediaUrl: `/media/${id}.png`,
  thumbUrl: `/media/${id}.png?thumbnail`,
  sha256: sha(c),
  width: 1280,
  height: 720,
  bytes: 1000,
  accepted: true,
});
const take = (jobId: string, durationS: number, extra: object = {}) => ({
  jobId,
  status: 'completed' as const,
  stale: false,
  durationS,
  createdAt: '2026-12-02T01:00:00.000Z',
  ...extra,
});

// Parsed through the contract's own schemas, so the fixture is a board the app could hold.
const board = Storyboard.parse({
  id: 'sb-20261202-010000-abc123',
  name: 'Harbour at dawn',
  createdAt: '2026-12-02T01:00:00.000Z',
  updatedAt: '2026-12-02T01:30:00.000Z',
  takesPerShot: 2,
  keyframes: [
    keyframe('k00000001', 'dawn.png', 'a'),
    keyframe('k00000002', 'boats.png', 'b'),
    keyframe('k00000003', 'gulls.png', 'c'),
    keyframe('k00000004', 'noon.png', 'd'),
  ],
  // Out of order on purpose: the sidecar follows the strip, not the array.
  shots: [
    {
      key: 'k00000002>k00000003',
      index: 1,
      prompt: '@Image1 the boats leave',
      duration: 10,
      takes: [take('20261202-010200-bbbbbb', 10.04, { costUsd: 1.12 })],
      pickedJobId: '20261202-010200-bbbbbb',
      stale: false,
    },
    {
      key: 'k00000001>k00000002',
      index: 0,
      prompt: '@Image1 slowly turns into @Image2',
      duration: 5,
      takes: [take('20261202-010100-aaaaa1', 5.04), take('20261202-010100-aaaaa2', 5.04, { stale: true })],
      pickedJobId: '20261202-010100-aaaaa2',
      stale: true,
    },
    { key: 'k00000003>k00000004', index: 2, prompt: 'gulls', duration: 5, takes: [take('20261202-010300-cccccc', 5)], stale: false },
  ],
});

const job = (id: string, requestId: string, cost: { usd?: number; raw: unknown }) =>
  JobDetail.parse({
    id,
    createdAt: '2026-12-02T01:01:00.000Z',
    status: 'completed',
    prompt: 'p',
    duration: 5,
    favourite: false,
    downloading: false,
    costUsd: cost.usd,
    model: 'kling/kling-video-o1/image-to-video',
    requestId,
    updatedAt: '2026-12-02T01:02:00.000Z',
    history: [],
    frames: [
      { role: 'start', url: '/s', file: 'start.png', bytes: 1, sha256: sha('1') },
      { role: 'end', url: '/e', file: 'end.png', bytes: 1, sha256: sha('2') },
    ],
    videos: [],
    cost,
  });

const facts = { file: 'harbour.mp4', mode: 'remux' as const, durationS: 15.08, exportedAt: '2026-12-02T02:00:00.000Z' };

describe('buildSidecar', () => {
  it('lists keyframes by hash and shots in strip order, each with the picked take, its request id, cost and place in the cut', () => {
    const jobs = new Map([
      ['20261202-010100-aaaaa2', job('20261202-010100-aaaaa2', 'req-a2', { usd: 0.56, raw: 0.56 })],
      ['20261202-010200-bbbbbb', job('20261202-010200-bbbbbb', 'req-b', { usd: 1.12, raw: 1.12 })],
    ]);
    const sidecar = buildSidecar(board, jobs, facts);
    expect(sidecar.storyboard).toEqual({ id: board.id, name: 'Harbour at dawn' });
    expect(sidecar.keyframes.map((k) => [k.id, k.sha256[0]])).toEqual([
      ['k00000001', 'a'],
      ['k00000002', 'b'],
      ['k00000003', 'c'],
      ['k00000004', 'd'],
    ]);
    expect(sidecar.shots.map((s) => [s.index, s.from, s.to, s.prompt, s.duration])).toEqual([
      [0, 'k00000001', 'k00000002', '@Image1 slowly turns into @Image2', 5],
      [1, 'k00000002', 'k00000003', '@Image1 the boats leave', 10],
      [2, 'k00000003', 'k00000004', 'gulls', 5],
    ]);
    expect(sidecar.shots[0].take).toEqual({
      jobId: '20261202-010100-aaaaa2',
      requestId: 'req-a2',
      model: 'kling/kling-video-o1/image-to-video',
      startS: 0,
      durationS: 5.04,
      costUsd: 0.56,
      stale: true,
      frames: [
        { role: 'start', sha256: sha('1') },
        { role: 'end', sha256: sha('2') },
      ],
    });
    expect(sidecar.shots[1].take).toMatchObject({ requestId: 'req-b', startS: 5.04, costUsd: 1.12, stale: false });
    expect(sidecar.shots[2].take).toBeNull();
    expect(sidecar.export).toEqual({ ...facts, shots: 2, costUsd: 1.68 });
    expect(JSON.parse(JSON.stringify(sidecar))).toEqual(sidecar);
  });

  it('keeps a cost RunComfy did not report as a plain amount, and totals no cost when one is unknown', () => {
    const jobs = new Map([
      ['20261202-010100-aaaaa2', job('20261202-010100-aaaaa2', 'req-a2', { raw: { amount: '0.56', currency: 'USD' } })],
    ]);
    const sidecar = buildSidecar(board, jobs, facts);
    expect(sidecar.shots[0].take).toMatchObject({ costUsd: null, costRaw: { amount: '0.56', currency: 'USD' } });
    // Shot 2's job detail is not at hand: its take's own cost is used, and it has no request id.
    expect(sidecar.shots[1].take).toMatchObject({ requestId: null, costUsd: 1.12, frames: [] });
    expect(sidecar.export.costUsd).toBeNull();
  });

  it('sits beside the cut with the same name', () => {
    expect(sidecarPathFor('/films/harbour.mp4')).toBe('/films/harbour.json');
    expect(sidecarPathFor('/films/harbour.MP4')).toBe('/films/harbour.json');
  });
});
