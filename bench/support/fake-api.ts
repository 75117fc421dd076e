/**
 * The fake RunComfy API in its own process, for benchmarks that measure the CPU of the process
 * following jobs (the server's work must not count). Jobs it accepts stay queued. Talks over IPC:
 * sends `{ url }` when listening; answers `report` with its status requests, `reset` by forgetting them.
 */
import { startFakeRunComfy } from '../../test/fake-runcomfy/server';

const fake = await startFakeRunComfy({ tokens: [process.argv[2] ?? 'bench-token'], plan: { queuePositions: 3, stepMs: Infinity } });
process.send!({ kind: 'ready', url: fake.url });
process.on('message', (message: { kind: 'report' | 'reset' }) => {
  if (message.kind === 'reset') {
    fake.requests.length = 0;
    process.send!({ kind: 'reset' });
  } else {
    const status = fake.requests.filter((request) => request.endpoint === 'status').map(({ path, at, status }) => ({ path, at, status }));
    process.send!({ kind: 'report', status });
  }
});
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
