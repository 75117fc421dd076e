/**
 * `npm run jobs -- run|list|resume …`: Keyframe's job runner and library without a window, for
 * scripts and batches (commands and exit codes in jobs-args.ts, the work in jobs-main.ts).
 *
 * Nothing that loads better-sqlite3 is imported before the Node version is checked: on Node
 * older than 22 it would crash without a word.
 */
import { nodeTooOld } from './node-version';

const tooOld = nodeTooOld();
if (tooOld) {
  process.stderr.write(tooOld + '\n');
  process.exit(3);
}

const interrupt = new AbortController();
let signals = 0;
const onSignal = () => {
  // The first Ctrl+C stops following and saves everything; a second one quits at once.
  if (++signals > 1) process.exit(130);
  process.stderr.write('\nStopping (Ctrl+C again to quit at once)…\n');
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const { main } = await import('./jobs-main');
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(line + '\n'),
  err: process.stderr,
  signal: interrupt.signal,
});
