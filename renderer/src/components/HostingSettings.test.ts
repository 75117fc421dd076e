import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, HostingStatus } from '$contract';
import { hosting } from '../state/hosting.svelte';
import { settings } from '../state/settings.svelte';
import HostingSettings from './HostingSettings.svelte';
import { bucketStatus, inlineStatus, installMain } from './HostingTestMain';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

async function open(answers: Parameters<typeof installMain>[0] = {}) {
  const main = installMain(answers);
  await settings.load();
  await hosting.load();
  hosting.clearError();
  render(HostingSettings);
  await screen.findByText(/Frames from this computer go/);
  return main;
}

const input = (name: string) => screen.getByLabelText(name) as HTMLInputElement;

async function fill(name: string, value: string) {
  await fireEvent.input(input(name), { target: { value } });
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('HostingSettings', () => {
  it('says where frames go now', async () => {
    await open();
    expect(screen.getByRole('status', { name: 'Frames will go' }).textContent).toContain(
      'Frames from this computer go inline in the request (no bucket set up yet).',
    );
  });

  it('checks each field with the contract’s rules, says what is wrong beside it, and sends nothing', async () => {
    const main = await open();
    await fill('Bucket name', 'x');
    await fill('Endpoint', 'ftp://files.example.com');
    await fireEvent.input(input('Links valid for (hours)'), { target: { value: '500' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save bucket' }));
    expect(input('Bucket name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('A bucket name has 3 to 63 letters, digits, dots or hyphens.')).toBeTruthy();
    expect(screen.getByText('Enter the endpoint as an http(s) address, or leave it empty for AWS S3.')).toBeTruthy();
    expect(screen.getByText('Pre-signed links can stay valid for at most 168 hours (7 days).')).toBeTruthy();
    expect(main.calls.filter(([channel]) => channel === 'settings:set' || channel === 'hosting:setSecret')).toEqual([]);
  });

  it('saves the bucket, sends the secret once, then shows it only as set', async () => {
    let status: HostingStatus = inlineStatus;
    const main = await open({
      'hosting:setSecret': () => ((status = bucketStatus), { ok: true, value: status }),
      'hosting:status': () => ({ ok: true, value: status }),
    });
    await fill('Endpoint', 'https://0123.r2.cloudflarestorage.com');
    await fill('Region', 'auto');
    await fill('Bucket name', 'frames');
    await fill('Access key ID', 'AKIDEXAMPLE');
    await fill('Secret access key', `  ${SECRET}  `);
    await fireEvent.click(screen.getByRole('button', { name: 'Save bucket' }));

    await screen.findByText('Set');
    expect(main.settings().hosting.s3).toMatchObject({
      endpoint: 'https://0123.r2.cloudflarestorage.com',
      region: 'auto',
      bucket: 'frames',
      accessKeyId: 'AKIDEXAMPLE',
    });
    expect(main.calls.filter(([channel]) => channel === 'hosting:setSecret')).toEqual([['hosting:setSecret', [SECRET]]]);
    // The secret is nowhere on the page any more.
    expect(document.querySelector('input[type=password]')).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect([...document.querySelectorAll('input')].some((field) => field.value.includes(SECRET))).toBe(false);
    expect(screen.getByText(/kept in GNOME Keyring/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Replace…' })).toBeTruthy();
  });

  it('asks before removing the secret', async () => {
    const main = await open({
      'hosting:status': () => ({ ok: true, value: bucketStatus }),
      'hosting:clearSecret': () => ({ ok: true, value: inlineStatus }),
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Remove…' }));
    const confirm = screen.getByRole('group', { name: /Remove the secret access key from GNOME Keyring/ });
    expect(document.activeElement?.textContent).toBe('Cancel');
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Remove secret' }));
    await waitFor(() => expect(main.calls.map(([channel]) => channel)).toContain('hosting:clearSecret'));
    expect(await screen.findByLabelText('Secret access key')).toBeTruthy();
  });

  it('shows the connection test step by step, with what failed', async () => {
    const failed: ConnectionTestResult = {
      ok: false,
      problem: 'bucket',
      message: 'There is no bucket named “wrong” at 127.0.0.1:9000 (NoSuchBucket). Check the bucket name, the endpoint and the region.',
      steps: [
        { id: 'upload', label: 'Upload a test object', state: 'failed', message: 'There is no bucket named “wrong”…', ms: 12 },
        { id: 'fetch', label: 'Fetch it back through a pre-signed link', state: 'skipped' },
        { id: 'delete', label: 'Delete the test object', state: 'skipped' },
      ],
      warnings: ['The endpoint uses plain http; RunComfy asks for https links.'],
    };
    const main = await open({
      'hosting:status': () => ({ ok: true, value: bucketStatus }),
      'hosting:test': () => ({ ok: true, value: failed }),
    });
    await fill('Bucket name', 'wrong');
    await fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Connection failed. There is no bucket named “wrong”');
    const steps = within(screen.getByRole('list', { name: 'Test steps' })).getAllByRole('listitem');
    expect(steps.map((step) => step.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Upload a test object failed',
      'Fetch it back through a pre-signed link skipped',
      'Delete the test object skipped',
    ]);
    expect(screen.getByText(/RunComfy asks for https links/)).toBeTruthy();
    // What was on screen was saved before it was tested.
    expect(main.calls.map(([channel]) => channel).filter((channel) => channel !== 'hosting:status')).toEqual([
      'settings:get',
      'settings:set',
      'hosting:test',
    ]);
    expect(main.settings().hosting.s3.bucket).toBe('wrong');
  });
});
