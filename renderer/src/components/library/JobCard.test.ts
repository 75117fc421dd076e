import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { JobSummary } from '$contract';
import JobCard from './JobCard.svelte';

const job: JobSummary = {
  id: '20260514-153012-7k3m9q',
  createdAt: '2026-05-14T15:30:12.000Z',
  status: 'failed',
  prompt: 'A red fox walks through snow',
  duration: 10,
  favourite: false,
  downloading: false,
  startFrameThumbUrl: '/media/library/2026-05/20260514-153012-7k3m9q/start.png?thumbnail',
  error: 'Content policy',
};

function renderCard(props: Partial<{ job: JobSummary | undefined }> = {}) {
  const handlers = { onopen: vi.fn(), onfavourite: vi.fn(), onfocus: vi.fn(), onshown: vi.fn() };
  render(JobCard, { job, index: 4, count: 120, tabindex: 0, selected: false, ...handlers, ...props });
  return handlers;
}

describe('JobCard', () => {
  it('names the job for screen readers with its prompt, status, length and date, and its place in the list', () => {
    const { onshown } = renderCard();
    const open = screen.getByRole('button', { name: /^A red fox walks through snow\. Failed, 10 seconds, / });
    expect(open.dataset.index).toBe('4');
    expect(screen.getByRole('listitem').getAttribute('aria-posinset')).toBe('5');
    expect(screen.getByRole('listitem').getAttribute('aria-setsize')).toBe('120');
    expect(screen.getByText('Failed')).toBeTruthy();
    expect(screen.getByText('10 s')).toBeTruthy();
    expect(onshown).toHaveBeenCalledWith(job);
  });

  it('shows the start frame while there is no poster, asked for once the results have settled', async () => {
    renderCard();
    expect(document.querySelectorAll('img')).toHaveLength(0);
    await vi.waitFor(() => expect(document.querySelectorAll('img')).toHaveLength(1));
    expect(document.querySelector('img')!.getAttribute('src')).toBe(job.startFrameThumbUrl);
  });

  it('shows at once a picture a card has shown before (cards moving along when a job is added)', async () => {
    const other: JobSummary = {
      ...job,
      id: '20260514-153013-aaaaaa',
      startFrameThumbUrl: '/media/library/2026-05/20260514-153013-aaaaaa/start.png?thumbnail',
    };
    const props = {
      index: 0,
      count: 2,
      tabindex: 0,
      selected: false,
      onopen: vi.fn(),
      onfavourite: vi.fn(),
      onfocus: vi.fn(),
      onshown: vi.fn(),
    };
    const first = render(JobCard, { ...props, job: other });
    await vi.waitFor(() => expect(document.querySelector('img')?.getAttribute('src')).toBe(other.startFrameThumbUrl));
    await fireEvent.load(document.querySelector('img')!);
    first.unmount();
    // While the user types, even a picture shown before waits for the results to settle.
    const typed = render(JobCard, { ...props, job: other, newResults: true });
    expect(document.querySelectorAll('img')).toHaveLength(0);
    typed.unmount();
    // The same results refreshed, the job now in the next card: its picture is there in the same update, faded in.
    render(JobCard, { ...props, job: other });
    const img = document.querySelector('img')!;
    expect(img.getAttribute('src')).toBe(other.startFrameThumbUrl);
    expect(img.classList.contains('loaded')).toBe(true);
  });

  it('opens on click and stars with its own button', async () => {
    const { onopen, onfavourite } = renderCard();
    await fireEvent.click(screen.getByRole('button', { name: /A red fox/ }));
    expect(onopen).toHaveBeenCalledWith(job);
    const star = screen.getByRole('button', { name: 'Favourite' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(star);
    expect(onfavourite).toHaveBeenCalledWith(job);
  });

  it('keeps a focusable placeholder while its page is loading', () => {
    const { onopen } = renderCard({ job: undefined });
    const placeholder = screen.getByRole('button', { name: 'Loading job' });
    expect(placeholder.getAttribute('aria-busy')).toBe('true');
    placeholder.click();
    expect(onopen).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Favourite' })).toBeNull();
  });
});
