/**
 * Which host carries frames picked from this computer, from the settings and whether the secret
 * is set: the one rule behind both the Create screen's badge and the upload itself.
 */
import type { HostingSettings, HostingStatus } from '../../contract';
import type { S3Config } from './s3/config';
import { endpointLabel } from './s3/config';

export type HostChoice = { host: 's3'; config: S3Config } | { host: 'data-uri' } | { host: null; problem: string };

/** What the bucket still needs before frames can go through it, in the user's words. */
export function missingForBucket(settings: HostingSettings, secretSet: boolean): string[] {
  const missing: string[] = [];
  if (!settings.s3.bucket.trim()) missing.push('the bucket name');
  if (!settings.s3.accessKeyId.trim()) missing.push('the access key ID');
  if (!secretSet) missing.push('the secret access key');
  return missing;
}

export function chooseHost(settings: HostingSettings, secret: string | undefined): HostChoice {
  const missing = missingForBucket(settings, !!secret);
  if (settings.mode === 'inline') return { host: 'data-uri' };
  if (missing.length === 0 && secret) return { host: 's3', config: { ...settings.s3, secretAccessKey: secret } };
  if (settings.mode === 'auto') return { host: 'data-uri' };
  return {
    host: null,
    problem: `Frames are set to go through a bucket, but ${listOf(missing)} ${missing.length === 1 ? 'is' : 'are'} missing. Complete the bucket settings, or choose “Automatic”.`,
  };
}

export interface KeychainState {
  secretSet: boolean;
  keychainName: string;
  keychainProblem: string | null;
}

export function describeHosting(settings: HostingSettings, { secretSet, keychainName, keychainProblem }: KeychainState): HostingStatus {
  const missing = missingForBucket(settings, secretSet);
  const choice = chooseHost(settings, secretSet ? 'set' : undefined);
  const summary =
    choice.host === 's3'
      ? `bucket “${settings.s3.bucket}” at ${endpointLabel(settings.s3)}`
      : choice.host === 'data-uri'
        ? settings.mode === 'inline'
          ? 'inline in the request'
          : 'inline in the request (no bucket set up yet)'
        : 'nowhere: the bucket settings are incomplete';
  return {
    mode: settings.mode,
    host: choice.host,
    summary,
    problem: choice.host === null ? choice.problem : null,
    bucket: { configured: missing.length === 0, missing, name: settings.s3.bucket, endpoint: endpointLabel(settings.s3) },
    secretSet,
    keychainName,
    keychainProblem,
  };
}

export function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
