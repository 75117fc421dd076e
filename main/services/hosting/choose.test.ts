import { describe, expect, it } from 'vitest';
import { HostingSettings } from '../../contract';
import { chooseHost, describeHosting } from './choose';

const settings = (patch: { mode?: HostingSettings['mode']; s3?: Partial<HostingSettings['s3']> } = {}) =>
  HostingSettings.parse({ mode: patch.mode, s3: patch.s3 ?? {} });
const keychain = (secretSet: boolean) => ({ secretSet, keychainName: 'GNOME Keyring', keychainProblem: null });
const bucket = { bucket: 'frames', accessKeyId: 'AKID', endpoint: 'https://0123.r2.cloudflarestorage.com', region: 'auto' };

describe('chooseHost', () => {
  it('automatic: inline until the bucket is complete, then the bucket', () => {
    expect(chooseHost(settings(), undefined)).toEqual({ host: 'data-uri' });
    expect(chooseHost(settings({ s3: bucket }), undefined)).toEqual({ host: 'data-uri' });
    expect(chooseHost(settings({ s3: { ...bucket, accessKeyId: '' } }), 'secret')).toEqual({ host: 'data-uri' });
    const chosen = chooseHost(settings({ s3: bucket }), 'secret');
    expect(chosen).toMatchObject({
      host: 's3',
      config: { bucket: 'frames', secretAccessKey: 'secret', urlLifetimeHours: 24, prefix: 'keyframe' },
    });
  });

  it('inline: always inline, even with a bucket', () => {
    expect(chooseHost(settings({ mode: 'inline', s3: bucket }), 'secret')).toEqual({ host: 'data-uri' });
  });

  it('bucket: no host, and what is missing, until the bucket is complete', () => {
    expect(chooseHost(settings({ mode: 'bucket' }), undefined)).toEqual({
      host: null,
      problem:
        'Frames are set to go through a bucket, but the bucket name, the access key ID and the secret access key are missing. Complete the bucket settings, or choose “Automatic”.',
    });
    expect(chooseHost(settings({ mode: 'bucket', s3: bucket }), undefined)).toMatchObject({
      problem: expect.stringContaining('but the secret access key is missing.'),
    });
    expect(chooseHost(settings({ mode: 'bucket', s3: bucket }), 'secret')).toMatchObject({ host: 's3' });
  });
});

describe('describeHosting', () => {
  it('says which host will carry the frames, in one line, and never holds the secret', () => {
    expect(describeHosting(settings(), keychain(false))).toEqual({
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
    });
    expect(describeHosting(settings({ s3: bucket }), keychain(true))).toMatchObject({
      host: 's3',
      summary: 'bucket “frames” at 0123.r2.cloudflarestorage.com',
      bucket: { configured: true, missing: [], name: 'frames', endpoint: '0123.r2.cloudflarestorage.com' },
      secretSet: true,
    });
    expect(describeHosting(settings({ mode: 'inline', s3: bucket }), keychain(true)).summary).toBe('inline in the request');
    expect(describeHosting(settings({ mode: 'bucket' }), { ...keychain(false), keychainProblem: 'Your keyring is locked.' })).toMatchObject(
      {
        host: null,
        summary: 'nowhere: the bucket settings are incomplete',
        keychainProblem: 'Your keyring is locked.',
      },
    );
  });
});
