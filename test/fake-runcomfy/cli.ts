/**
 * `npm run fake-api`: the fake RunComfy API on its own, for demos and manual testing without a
 * real token. Jobs move at a human pace (a few seconds per queue position).
 *
 *   npm run fake-api -- [--port 8787] [--token demo-token-1234] [--fail] [--refuse-data-uris] [--video a.mp4 --video b.mp4]
 *
 * Then start Keyframe against it (see docs/connect.md):
 *   KEYFRAME_API_BASE_URL=http://127.0.0.1:8787 RUNCOMFY_TOKEN=demo-token-1234 npm run demo
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeRunComfy } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['FAKE_API_PORT'] ?? '8787' },
    token: { type: 'string', multiple: true },
    'queue-positions': { type: 'string', default: '3' },
    'step-seconds': { type: 'string', default: '3' },
    'run-seconds': { type: 'string', default: '10' },
    fail: { type: 'boolean', default: false },
    'refuse-data-uris': { type: 'boolean', default: false },
    'fetch-images': { type: 'boolean', default: false },
    video: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`npm run fake-api -- [options]
  --port N               listen on 127.0.0.1:N (default 8787, or FAKE_API_PORT; 0 = any free port)
  --token T              a token it accepts (repeatable; default demo-token-1234)
  --queue-positions N    queue positions a job passes through (default 3)
  --step-seconds S       seconds per queue position (default 3)
  --run-seconds S        seconds a job runs (default 10)
  --fail                 jobs end failed instead of completed
  --refuse-data-uris     answer 422 to data: image URIs
  --fetch-images         fetch loopback image URLs / decode data: URIs and log their sha256
  --video FILE           an MP4 the jobs deliver, in turn (repeatable; two of different sizes make
                         a storyboard's export re-encode; default: the fake's own short clip)`);
  process.exit(0);
}

const tokens = values.token?.length ? values.token : ['demo-token-1234'];
const fake = await startFakeRunComfy({
  port: Number(values.port),
  tokens,
  refuseDataUris: values['refuse-data-uris'],
  fetchImages: values['fetch-images'],
  videos: values.video?.map((file) => readFileSync(file)),
  plan: {
    queuePositions: Number(values['queue-positions']),
    stepMs: Number(values['step-seconds']) * 1000,
    progressMs: Number(values['run-seconds']) * 1000,
    outcome: values.fail ? { failed: 'The model could not generate a video from these frames (fake failure).' } : { completed: true },
  },
});

console.log(`Fake RunComfy API listening on ${fake.url}
  valid token${tokens.length > 1 ? 's' : ''}: ${tokens.join(', ')}   (any other token gets 401)

Run Keyframe against it:
  KEYFRAME_API_BASE_URL=${fake.url} npm run demo                                   # paste the token on the Connect screen
  KEYFRAME_API_BASE_URL=${fake.url} RUNCOMFY_TOKEN=${tokens[0]} npm run demo       # already signed in
  (with Electron: the same variables before \`npm start\`)

Ctrl+C stops it.`);

let lastCount = 0;
let lastSubmission = 0;
setInterval(() => {
  for (const submission of fake.submissions.slice(lastSubmission)) {
    for (const image of submission.images)
      console.log(`  ${submission.requestId} ${image.field}: ${image.bytes} bytes via ${image.via}, sha256 ${image.sha256}`);
  }
  lastSubmission = fake.submissions.length;
  for (const request of fake.requests.slice(lastCount)) {
    console.log(
      `${new Date(request.at).toISOString().slice(11, 19)} ${request.method} ${request.path} -> ${request.status}${request.authorized ? '' : ' (no valid token)'}`,
    );
  }
  lastCount = fake.requests.length;
}, 500).unref();

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
