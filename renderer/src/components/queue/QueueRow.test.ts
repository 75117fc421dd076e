import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueueItem } from '$contract';
import { installFakeBridge, runnerIs } from '../../test/fake-frames';
import QueueRow from './QueueRow.svelte';

const item = (over: Partial<QueueItem> = {}): QueueItem => ({
  id: '20261202-120000-abcdef',
  status: 'queued',
  prompt: 'The tide comes in',
  duration: 5,
  createdAt: '2026-12-02T12:00:00.000Z',
  queuePosition: 3,
  hosts: ['data-uri'],
  canCancel: true,
  needsDecision: false,
  ...over,
});
const READ_ONLY = 'The jobs CLI (pid 7) is sending and following the jobs in this library.';

describe('QueueRow while another process holds the library', () => {
  afterEach(() => runnerIs({ open: 0 }));

  it('offers Cancel, Give up, Send again and Retry now off, each saying why; they are on again once the library is free', async () => {
    installFakeBridge();
    await runnerIs({ open: 1, readOnly: true, problem: READ_ONLY });
    const handlers = { oncancel: vi.fn(), ondecide: vi.fn(), onretry: vi.fn() };
    const now = Date.parse('2026-12-02T12:01:00.000Z');
    render(QueueRow, { item: item(), now, ...handlers });
    render(QueueRow, { item: item({ id: '20261202-120001-bcdefg', needsDecision: true, canCancel: false }), now, ...handlers });
    const download = { received: 10, total: 100, retrying: true, problem: 'The link expired' };
    render(QueueRow, { item: item({ id: '20261202-120002-cdefgh', status: 'completed', canCancel: false, download }), now, ...handlers });
    const buttons = ['Cancel', 'Give up', 'Send again', 'Retry now'].map((name) => screen.getByRole<HTMLButtonElement>('button', { name }));
    for (const button of buttons) {
      expect(button.disabled).toBe(true);
      expect(button.getAttribute('title')).toBe(READ_ONLY);
    }
    await runnerIs({ open: 1 });
    flushSync();
    for (const button of buttons) {
      expect(button.disabled).toBe(false);
      expect(button.hasAttribute('title')).toBe(false);
    }
  });
});
