/** The Create screen's hosting line for a picked frame over RunComfy's 6 MiB inline cap, before anything is sent. */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { create } from '../state/create.svelte';
import { hosting } from '../state/hosting.svelte';
import { navigation } from '../state/navigation.svelte';
import { frame, installFakeBridge } from '../test/fake-frames';
import HostingBadge from './HostingBadge.svelte';

let fake: ReturnType<typeof installFakeBridge>;
beforeEach(async () => {
  document.body.innerHTML = '';
  fake = installFakeBridge();
  create.clear('start');
  create.clear('end');
  navigation.settingsOpen = false;
  await hosting.load();
});

const text = (element: HTMLElement) => element.textContent?.replace(/\s+/g, ' ').trim();

describe('HostingBadge and frames over the inline cap', () => {
  it('says the big frame will go re-encoded, with its new size, and asks main only about that frame', async () => {
    const big = frame(1600, 1600, { bytes: 7_500_000 });
    fake.frames.pick.mockResolvedValueOnce({ ok: true, value: big });
    render(HostingBadge);
    await create.pick('start');
    await create.pick('end');
    const notes = await screen.findByRole('list', { name: 'Frames sent inline' });
    await screen.findByText(/sent re-encoded/);
    expect(text(notes)).toBe(
      "Start frame: 7.5 MB is over RunComfy's 6.3 MB limit for inline images, so it will be sent re-encoded as JPEG, 2.4 MB (same size in pixels; your file stays as it is).",
    );
    expect(fake.hosting.inlinePlan.mock.calls).toEqual([[big.id]]);
  });

  it('a frame that cannot fit says why and leads to the bucket settings', async () => {
    const message =
      'The frame “big.png” (9.9 MB) is too large to send inline: … Set up a storage bucket so Keyframe sends the frame as a link.';
    fake.hosting.inlinePlan.mockResolvedValueOnce({ ok: true, value: { kind: 'too-large', fromBytes: 9_900_000, message } });
    fake.frames.pick.mockResolvedValueOnce({ ok: true, value: frame(2000, 1500, { bytes: 9_900_000 }) });
    render(HostingBadge);
    await create.pick('end');
    expect(text(await screen.findByRole('list', { name: 'Frames sent inline' }))).toContain(`End frame: ${message}`);
    await fireEvent.click(screen.getByRole('button', { name: 'Bucket settings' }));
    expect(navigation.settingsSection).toBe('hosting');
  });

  it('says nothing about frames under the cap, or when a bucket carries the frames', async () => {
    render(HostingBadge);
    await create.pick('start');
    expect(screen.queryByRole('list', { name: 'Frames sent inline' })).toBeNull();

    const inline = await fake.hosting.status();
    if (!inline.ok) throw new Error('the fake answers');
    fake.hosting.status.mockResolvedValueOnce({ ok: true, value: { ...inline.value, mode: 'bucket', host: 's3' } });
    await hosting.load();
    fake.frames.pick.mockResolvedValueOnce({ ok: true, value: frame(1600, 1600, { bytes: 7_500_000 }) });
    await create.pick('end');
    expect(await screen.findByText(/Frames from this computer go to bucket/)).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Frames sent inline' })).toBeNull();
    expect(fake.hosting.inlinePlan).not.toHaveBeenCalled();
  });
});
