/**
 * The JSON written beside an exported cut: what it was made from, so it can be traced and made
 * again. Keyframes (by hash) and shots in strip order, each shot with its prompt, duration and the
 * take in the cut (its job, RunComfy request id and cost), plus how the cut was written.
 */
import type { JobDetail, JobId } from '../../contract/library';
import type { ExportResult, Shot, Storyboard } from '../../contract/storyboard';

export const SIDECAR_FORMAT = 'keyframe-storyboard-export';

export interface ExportFacts {
  /** The cut's file name (the sidecar sits beside it). */
  file: string;
  mode: NonNullable<ExportResult['mode']>;
  durationS: number;
  exportedAt: string;
}

export interface SidecarTake {
  jobId: JobId;
  requestId: string | null;
  model: string | null;
  /** Where the take starts in the cut. */
  startS: number;
  durationS: number;
  costUsd: number | null;
  /** The cost as RunComfy reported it, when it was not a plain amount. */
  costRaw?: unknown;
  /** Made from a keyframe that has since been replaced or fixed. */
  stale: boolean;
  /** The frames as sent for this take, by hash. */
  frames: { role: string; sha256: string }[];
}

export interface Sidecar {
  format: typeof SIDECAR_FORMAT;
  version: 1;
  storyboard: { id: string; name: string };
  export: ExportFacts & { shots: number; costUsd: number | null };
  keyframes: { id: string; name: string; sha256: string; width: number; height: number }[];
  shots: {
    index: number;
    from: string;
    to: string;
    prompt: string;
    duration: number;
    /** The picked take, or null when the shot has none and is not in the cut. */
    take: SidecarTake | null;
  }[];
}

export const sidecarPathFor = (cutPath: string) => cutPath.replace(/\.mp4$/i, '') + '.json';

/** A pure function of the board, its takes' job details (by id) and the export's own facts. */
export function buildSidecar(board: Storyboard, jobs: ReadonlyMap<JobId, JobDetail>, facts: ExportFacts): Sidecar {
  let startS = 0;
  const shots = [...board.shots]
    .sort((a, b) => a.index - b.index)
    .map((shot) => {
      const take = pickedTake(shot, jobs, startS);
      if (take) startS += take.durationS;
      const [from, to] = shot.key.split('>');
      return { index: shot.index, from, to, prompt: shot.prompt, duration: shot.duration, take };
    });
  const takes = shots.flatMap((shot) => (shot.take ? [shot.take] : []));
  const costed = takes.every((take) => take.costUsd !== null);
  return {
    format: SIDECAR_FORMAT,
    version: 1,
    storyboard: { id: board.id, name: board.name },
    export: {
      ...facts,
      shots: takes.length,
      costUsd: costed ? round(takes.reduce((sum, take) => sum + (take.costUsd ?? 0), 0)) : null,
    },
    keyframes: board.keyframes.map(({ id, name, sha256, width, height }) => ({ id, name, sha256, width, height })),
    shots,
  };
}

function pickedTake(shot: Shot, jobs: ReadonlyMap<JobId, JobDetail>, startS: number): SidecarTake | null {
  const take = shot.takes.find((candidate) => candidate.jobId === shot.pickedJobId);
  if (!take) return null;
  const job = jobs.get(take.jobId);
  const costUsd = job?.costUsd ?? take.costUsd ?? null;
  return {
    jobId: take.jobId,
    requestId: job?.requestId ?? null,
    model: job?.model ?? null,
    startS: round(startS),
    durationS: take.durationS,
    costUsd,
    ...(costUsd === null && job?.cost ? { costRaw: job.cost.raw } : {}),
    stale: take.stale,
    frames: (job?.frames ?? []).map(({ role, sha256 }) => ({ role, sha256 })),
  };
}

/** Sums of floats (seconds, dollars) printed as people write them. */
const round = (n: number) => Math.round(n * 1e6) / 1e6;
