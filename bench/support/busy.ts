/**
 * A busy machine on demand: one `node -e 'for(;;){}'` per core asked for (the "two busy
 * loops"), stopped by `stop()`. Benchmarks measure the same work quiet and busy, side by side.
 */
import { spawn } from 'node:child_process';

export interface BusyLoops {
  stop(): Promise<void>;
}

export function startBusyLoops(count = 2): BusyLoops {
  const loops = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  return {
    stop: async () => {
      await Promise.all(
        loops.map(
          (loop) =>
            new Promise<void>((resolve) => {
              if (loop.exitCode !== null || loop.signalCode !== null) return resolve();
              loop.once('exit', () => resolve());
              loop.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
