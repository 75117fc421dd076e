import { cpus, loadavg } from 'node:os';

/** One measured figure, as `npm run bench` prints it in its table and writes to bench/results/latest.json. */
export interface Figure {
  /** Short name, e.g. "inspect 9.9 MB JPEG (median)". */
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'MB/s' | 'KB' | 'count' | 'ratio' | '%' | 'req' | 'nodes';
  /** The target from the issue that owns the feature, e.g. "< 10 ms". */
  target?: string;
  /** True/false when a target applies; undefined when the figure is informative only. */
  meetsTarget?: boolean;
  /** A peer or floor measured in the same run (e.g. curl, header read), in the same unit. */
  peer?: { name: string; value: number };
  note?: string;
}

/** A benchmark module under bench/ (file name `*.bench.ts`) default-exports one of these. */
export type Benchmark = () => Promise<Figure[]>;

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const median = (samples: number[]) => percentile(samples, 50);

/** The machine's load when a figure was taken, for its note: figures here come from a shared 2-core machine. */
export const machineLoad = () => `load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
