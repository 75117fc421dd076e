/** A stand-in for main in component tests: answers each channel from a table and records calls. */
import { buildBridge } from '$contract/bridge';
import { Settings } from '$contract';
import type { HostingStatus, MethodName, Result } from '$contract';

export const inlineStatus: HostingStatus = {
  mode: 'auto',
  host: 'data-uri',
  summary: 'inline in the request (no bucket set up yet)',
  problem: null,
  bucket: {
    configured: false,
    missing: ['the bucket name', 'the access key ID', 'the secret access key'],
    name: '',
    endpoint: 'AWS S3 (us-east-1)',
  },
  secretSet: false,
  keychainName: 'GNOME Keyring',
  keychainProblem: null,
};

export const bucketStatus: HostingStatus = {
  ...inlineStatus,
  host: 's3',
  summary: 'bucket “frames” at 0123.r2.cloudflarestorage.com',
  bucket: { configured: true, missing: [], name: 'frames', endpoint: '0123.r2.cloudflarestorage.com' },
  secretSet: true,
};

export type Answer = (args: unknown[]) => Result<unknown>;

export function installMain(answers: Partial<Record<MethodName, Answer>>) {
  const calls: [MethodName, unknown[]][] = [];
  let settings = Settings.parse({});
  const defaults: Partial<Record<MethodName, Answer>> = {
    'settings:get': () => ({ ok: true, value: settings }),
    'settings:set': ([patch]) => {
      const next = patch as { hosting?: { mode?: string; s3?: object } };
      settings = Settings.parse({
        ...settings,
        ...next,
        hosting: { ...settings.hosting, ...next.hosting, s3: { ...settings.hosting.s3, ...next.hosting?.s3 } },
      });
      return { ok: true, value: settings };
    },
    'hosting:status': () => ({ ok: true, value: inlineStatus }),
  };
  Object.defineProperty(window, 'keyframe', {
    configurable: true,
    value: buildBridge({
      invoke: async (channel, args) => {
        calls.push([channel, args]);
        const answer = answers[channel] ?? defaults[channel];
        if (!answer) throw new Error(`the test's main has no answer for ${channel}`);
        return answer(args);
      },
      subscribe: () => () => {},
    }),
  });
  return { calls, settings: () => settings };
}
