/**
 * `npm run jobs -- run|list|resume …`: Keyframe's job runner and library without a window, for
 * scripts and batches (commands and exit codes in jobs-args.ts, the work in jobs-main.ts).
 */
import { runCli } from './run-entry';

await runCli(() => import('./jobs-main'));
