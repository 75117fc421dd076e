import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../lib/bridge';
import { hosting } from '../state/hosting.svelte';
import { navigation } from '../state/navigation.svelte';
import { handleError } from '../state/toasts.svelte';
import HostingBadge from './HostingBadge.svelte';
import { bucketStatus, inlineStatus, installMain } from './HostingTestMain';
import Toasts from './Toasts.svelte';

beforeEach(() => {
  document.body.innerHTML = '';
  navigation.settingsOpen = false;
  navigation.settingsSection = undefined;
});

async function badge(status: typeof inlineStatus) {
  installMain({ 'hosting:status': () => ({ ok: true, value: status }) });
  await hosting.load();
  render(HostingBadge);
  return screen.getByRole('status', { name: 'Frame hosting' });
}

describe('HostingBadge', () => {
  it('says frames go inline until a bucket is set up, and leads to the bucket settings', async () => {
    const shown = await badge(inlineStatus);
    expect(shown.textContent?.replace(/\s+/g, ' ')).toContain(
      'Frames from this computer go inline in the request; if RunComfy refuses them, set up a bucket.',
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Set up a bucket' }));
    expect(navigation.settingsOpen).toBe(true);
    expect(navigation.settingsSection).toBe('hosting');
  });

  it('names the bucket that will carry the frames', async () => {
    const shown = await badge(bucketStatus);
    expect(shown.textContent?.replace(/\s+/g, ' ')).toContain(
      'Frames from this computer go to bucket “frames” at 0123.r2.cloudflarestorage.com.',
    );
  });

  it('says frames cannot be sent when the bucket is required but incomplete', async () => {
    const shown = await badge({ ...inlineStatus, mode: 'bucket', host: null, problem: 'Frames are set to go through a bucket, but …' });
    expect(shown.textContent).toContain('Frames cannot be sent: the bucket settings are incomplete.');
    expect(screen.getByRole('button', { name: 'Complete them' })).toBeTruthy();
  });
});

describe('errors whose fix is in the bucket settings', () => {
  it('offer a button that opens them', async () => {
    render(Toasts);
    handleError(
      new BridgeError({
        code: 'hosting',
        message: 'RunComfy did not accept the frames sent inline in the request. Set up a storage bucket…',
        details: { problem: 'inline-refused', action: 'openBucketSettings' },
      }),
      'The job was not sent',
    );
    await fireEvent.click(await screen.findByRole('button', { name: 'Bucket settings' }));
    expect(navigation.settingsOpen).toBe(true);
    expect(navigation.settingsSection).toBe('hosting');
    expect(screen.queryByRole('button', { name: 'Bucket settings' })).toBeNull();
  });
});
