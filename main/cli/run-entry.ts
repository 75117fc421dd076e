/**
 * What every headless entry (`npm run jobs`, `npm run storyboard`) does around its `main`: refuse a
 * Node too old before anything loads better-sqlite3 (it would crash without a word), turn the
 * first Ctrl+C into a stop that saves everything and a second into an immediate exit, and set the
 * exit code.
 */
import { nodeTooOld } from './node-version';
import type { CliIo } from './jobs-main';

export async function runCli(load: () => Promise<{ main: (argv: string[], io: CliIo) => Promise<number> }>): Promise<void> {
  const tooOld = nodeTooOld();
  if (tooOld) {
    process.stderr.write(tooOld + '\n');
    process.exit(3);
  }
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    process.stderr.write('\nStopping (Ctrl+C again to quit at once)…\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { main } = await load();
  process.exitCode = await main(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(line + '\n'),
    err: process.stderr,
    signal: interrupt.signal,
  });
}
