import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Shot } from '$contract';
import { boardOf } from '../../test/fake-board';
import BoardPlayer from './BoardPlayer.svelte';

const shot = (index: number, jobId: string): Shot => ({
  key: `k0000000${index}>k0000000${index + 1}`,
  index,
  prompt: 'p',
  duration: 5,
  takes: [
    { jobId, status: 'completed', stale: false, videoUrl: `/media/${jobId}.mp4`, durationS: 5, createdAt: '2026-12-02T00:00:00.000Z' },
  ],
  pickedJobId: jobId,
  stale: false,
});
const board = boardOf([shot(0, '20261202-010000-aaaaaa'), shot(1, '20261202-010000-bbbbbb')]);

// jsdom has no media playback; the E2E tests play the real thing in Chromium.
let played: string[];
beforeEach(() => {
  played = [];
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    played.push(this.getAttribute('src') ?? '');
    return Promise.resolve();
  });
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => undefined);
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('the storyboard player', () => {
  it('paints its first frame without the <video> pair, and puts it in once the page is idle', async () => {
    const { container } = render(BoardPlayer, { board });
    expect(container.querySelectorAll('video')).toHaveLength(0);
    await vi.waitFor(() => expect(container.querySelectorAll('video')).toHaveLength(2));
    // Then the cut's first frame is loaded into the front one.
    await vi.waitFor(() => expect(container.querySelector('video.front')?.getAttribute('src')).toBe('/media/20261202-010000-aaaaaa.mp4'));
    expect(played).toEqual([]);
  });

  it('plays at once when "Play all" comes before the page is idle', async () => {
    const { container } = render(BoardPlayer, { board });
    await fireEvent.click(screen.getByRole('button', { name: 'Play all' }));
    expect(container.querySelectorAll('video')).toHaveLength(2);
    expect(played).toEqual(['/media/20261202-010000-aaaaaa.mp4']);
    expect(screen.getByTestId('board-player').dataset['playing']).toBe('true');
    // The next take waits, loaded, in the element behind.
    expect(container.querySelector('video:not(.front)')?.getAttribute('src')).toBe('/media/20261202-010000-bbbbbb.mp4');
  });
});
