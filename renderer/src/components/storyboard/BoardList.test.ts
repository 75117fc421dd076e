import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildBridge } from '$contract/bridge';
import type { Result, StoryboardSummary } from '$contract';
import { storyboards } from '../../state/storyboard.svelte';
import BoardList from './BoardList.svelte';

// jsdom has no modal dialogs; the E2E tests cover the real one in Chromium.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false;
  this.dispatchEvent(new Event('close'));
};

const summary: StoryboardSummary = {
  id: 'sb-20261202-010000-abcdef',
  name: 'Lighthouse',
  updatedAt: new Date().toISOString(),
  keyframes: 4,
  shots: 3,
  ready: 1,
};

let calls: { channel: string; args: unknown[] }[];
let list: StoryboardSummary[];

beforeEach(async () => {
  calls = [];
  Object.defineProperty(window, 'keyframe', {
    configurable: true,
    value: buildBridge({
      invoke: async (channel, args): Promise<Result<unknown>> => {
        calls.push({ channel, args });
        return { ok: true, value: channel === 'storyboard:list' ? list : null };
      },
      subscribe: () => () => {},
    }),
  });
});

async function show(boards: StoryboardSummary[]) {
  list = boards;
  await storyboards.loadList();
  render(BoardList);
}

describe('the list of storyboards', () => {
  it('invites to make the first one when there is none', async () => {
    await show([]);
    const empty = screen.getByRole('region', { name: 'No storyboards yet' });
    expect(empty.textContent).toContain('each neighbouring pair');
    await fireEvent.click(screen.getByRole('button', { name: 'New storyboard' }));
    expect(screen.getByRole('dialog', { name: 'New storyboard' })).toBeTruthy();
  });

  it('keeps the takes in the library when a board is deleted, unless asked', async () => {
    await show([summary, { ...summary, id: 'sb-20261202-010000-bbbbbb', name: 'Harbour' }]);
    expect(screen.getAllByText(/4 keyframes · 1 of 3 shots ready/)).toHaveLength(2);

    await fireEvent.click(screen.getByRole('button', { name: 'Delete Lighthouse' }));
    const ask = screen.getByRole('dialog', { name: 'Delete “Lighthouse”?' });
    expect((screen.getByRole('checkbox', { name: 'Also delete its finished takes from the Library' }) as HTMLInputElement).checked).toBe(
      false,
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Delete storyboard' }));
    await waitFor(() =>
      expect(calls.find((call) => call.channel === 'storyboard:delete')?.args).toEqual([summary.id, { withJobs: false }]),
    );
    expect(ask.isConnected).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Delete Harbour' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Also delete its finished takes from the Library' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete storyboard' }));
    await waitFor(() =>
      expect(calls.filter((call) => call.channel === 'storyboard:delete').at(-1)?.args).toEqual([
        'sb-20261202-010000-bbbbbb',
        { withJobs: true },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole('button', { name: /Open / })).toBeNull());
  });
});
