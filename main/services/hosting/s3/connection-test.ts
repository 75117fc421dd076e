/**
 * "Test connection": upload a tiny object, fetch it back through a pre-signed URL (as RunComfy
 * will), compare the bytes and delete it. Each step says exactly what failed.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ConnectionStep, ConnectionTestResult, HostingProblem } from '../../../contract';
import type { S3Config } from './config';
import { presignGet } from './client';
import { endpointLabel, prefixed } from './config';
import { clockOffsetText, diagnoseS3Error } from './errors';
import type { S3ErrorContext } from './errors';

export interface ConnectionTestOptions {
  fetch?: typeof globalThis.fetch;
  /** How long the fetch through the pre-signed URL may take. */
  fetchTimeoutMs?: number;
  now?: () => Date;
}

const LABELS: Record<ConnectionStep['id'], string> = {
  upload: 'Upload a test object',
  fetch: 'Fetch it back through a pre-signed link',
  delete: 'Delete the test object',
};

export async function testS3Connection(
  client: S3Client,
  config: S3Config,
  options: ConnectionTestOptions = {},
): Promise<ConnectionTestResult> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  const endpoint = endpointLabel(config);
  const context = (action: string): S3ErrorContext => ({ endpoint, bucket: config.bucket, region: config.region, action });
  const key = prefixed(config.prefix, `.keyframe-connection-test-${randomUUID()}.txt`);
  const body = Buffer.from(`Keyframe connection test, ${now().toISOString()}\n`);
  const steps: ConnectionStep[] = [];
  let problem: HostingProblem | null = null;
  let summary = '';

  const step = async (id: ConnectionStep['id'], run: () => Promise<string | undefined>): Promise<boolean> => {
    const started = performance.now();
    try {
      const note = await run();
      steps.push({ id, label: LABELS[id], state: 'ok', ms: Math.round(performance.now() - started), ...(note ? { message: note } : {}) });
      return true;
    } catch (error) {
      const failed = error instanceof StepFailure ? error : new StepFailure(diagnoseS3Error(error, context(ACTIONS[id])));
      const state = id === 'delete' ? 'warning' : 'failed';
      steps.push({ id, label: LABELS[id], state, message: failed.diagnosis.message, ms: Math.round(performance.now() - started) });
      if (state === 'failed' && !problem) {
        problem = failed.diagnosis.problem;
        summary = failed.diagnosis.message;
      }
      return false;
    }
  };

  const warnings = reachabilityWarnings(config.endpoint);
  const put = () =>
    client.send(
      new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: 'text/plain' }),
    );
  const uploaded = await step('upload', async () => {
    try {
      await put();
    } catch (error) {
      if (diagnoseS3Error(error, context(ACTIONS.upload)).problem !== 'clock') throw error;
      // The SDK has set its clock by the server's answer; if the second try works, frames will too.
      await put();
      warnings.push(
        `${clockOffsetText(error, endpoint, now().getTime())}. Keyframe corrected for it, but set the date and time automatically.`,
      );
    }
    return undefined;
  });
  if (uploaded) {
    await step('fetch', () => fetchBack(client, config, key, body, fetchImpl, options.fetchTimeoutMs ?? 15_000, now()));
    await step('delete', async () => {
      await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: key }));
      return undefined;
    });
  } else {
    steps.push({ id: 'fetch', label: LABELS.fetch, state: 'skipped' }, { id: 'delete', label: LABELS.delete, state: 'skipped' });
  }

  const ok = problem === null;
  const deleteWarning = steps.find((s) => s.id === 'delete' && s.state === 'warning');
  return {
    ok,
    steps,
    problem,
    message: ok
      ? `Keyframe can store frames in “${config.bucket}” at ${endpoint} and fetch them back through pre-signed links.${
          deleteWarning ? ' It could not delete the test object; frames still work.' : ''
        }`
      : summary,
    warnings,
  };
}

const ACTIONS: Record<ConnectionStep['id'], string> = {
  upload: 'store a test object',
  fetch: 'send the test object back',
  delete: `delete the test object (frames still work; the key may lack delete permission)`,
};

class StepFailure extends Error {
  constructor(readonly diagnosis: { problem: HostingProblem; message: string }) {
    super(diagnosis.message);
  }
}

async function fetchBack(
  client: S3Client,
  config: S3Config,
  key: string,
  expected: Buffer,
  fetchImpl: typeof globalThis.fetch,
  timeoutMs: number,
  signingDate: Date,
): Promise<string | undefined> {
  const { url } = await presignGet(client, config.bucket, key, config.urlLifetimeHours, signingDate);
  const host = new URL(url).host;
  const hint = config.pathStyle
    ? ''
    : ' If the server needs path-style addresses (MinIO and most self-hosted servers), turn on “Path-style addressing”.';
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (error) {
    const timedOut = (error as { name?: string }).name === 'TimeoutError';
    throw new StepFailure({
      problem: timedOut ? 'timeout' : 'fetch',
      message: timedOut
        ? `The pre-signed link at ${host} did not answer within ${Math.round(timeoutMs / 1000)} seconds.${hint}`
        : `The pre-signed link at ${host} could not be reached, though the upload worked.${hint}`,
    });
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) {
    const code = /<Code>([^<]+)<\/Code>/.exec(bytes.toString('utf8'))?.[1];
    throw new StepFailure({
      problem: 'fetch',
      message: `The upload worked, but fetching it through the pre-signed link was refused (HTTP ${response.status}${code ? ` ${code}` : ''}).${hint}`,
    });
  }
  if (!bytes.equals(expected)) {
    throw new StepFailure({
      problem: 'fetch',
      message: `The pre-signed link returned different bytes from those uploaded (${bytes.length} instead of ${expected.length} bytes). Check the endpoint.`,
    });
  }
  return `${bytes.length} bytes, identical`;
}

/**
 * RunComfy's servers fetch the frames: an endpoint on this computer or a private network works for
 * the test but not for them, and RunComfy asks for https addresses.
 */
export function reachabilityWarnings(endpoint: string): string[] {
  if (!endpoint) return [];
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return [];
  }
  const warnings: string[] = [];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isPrivateHost(host)) {
    warnings.push(`${url.host} is on this computer or a private network: RunComfy's servers cannot fetch frames from it.`);
  }
  if (url.protocol === 'http:') warnings.push('The endpoint uses plain http; RunComfy asks for https links.');
  return warnings;
}

function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/i.test(host) || /^fe80/i.test(host);
  return false;
}
