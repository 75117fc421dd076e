import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import VideoPlayer from './VideoPlayer.svelte';

describe('the video player’s frame counter', () => {
  it('counts the frames the file has, at its own rate, before anything plays', () => {
    render(VideoPlayer, { src: '/media/v.mp4', label: 'Video', frameRate: 25, frames: 126 });
    const counter = screen.getByText('frame 1 / 126');
    expect(counter.title).toBe('25 frames per second');
    expect(screen.getByLabelText('Seek').getAttribute('step')).toBe(String(1 / 25));
  });

  it('says the rate is assumed for a video downloaded before Keyframe recorded it', () => {
    render(VideoPlayer, { src: '/media/v.mp4', label: 'Video' });
    expect(screen.getByText('frame 1 / 1').title).toBe('Frame rate assumed until the video plays');
  });
});
