import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { create } from '../state/create.svelte';
import { handoff } from '../state/handoff.svelte';
import { toasts } from '../state/toasts.svelte';
import { installFakeBridge } from '../test/fake-frames';
import CreateScreen from './CreateScreen.svelte';

// jsdom has no layout, so no ResizeObserver (the previews measure their box with it).
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

let fake: ReturnType<typeof installFakeBridge>;
beforeEach(() => {
  fake = installFakeBridge();
  create.clear('start');
  create.clear('end');
  create.prompt = '';
});

describe('CreateScreen', () => {
  it('fills itself from a library hand-off (continue from the last frame)', async () => {
    handoff.send({
      prompt: 'Keep walking from @Image1',
      duration: 10,
      start: { name: 'job-7 last frame.png', bytes: new Uint8Array([9, 9]) },
    });
    render(CreateScreen);
    await waitFor(() => expect(fake.frames.addBytes).toHaveBeenCalledWith({ name: 'job-7 last frame.png', data: 'CQk=' }));
    expect(handoff.pending).toBeUndefined();
    expect((screen.getByRole('textbox', { name: 'Prompt' }) as HTMLTextAreaElement).value).toBe('Keep walking from @Image1');
    expect((screen.getByRole('radio', { name: '10 s' }) as HTMLInputElement).checked).toBe(true);
    expect(await screen.findByText('job-7 last frame.png')).toBeTruthy();
  });

  it('keeps Make video disabled with the reason beside it, then sends', async () => {
    render(CreateScreen);
    const submit = screen.getByRole('button', { name: /Make video/ }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    expect(screen.getByText('Add a start frame.')).toBeTruthy();
    await create.addBytes('start', 'a.png', new Uint8Array([1]));
    await create.addBytes('end', 'b.png', new Uint8Array([2]));
    expect(await screen.findByText('Write a prompt.')).toBeTruthy();
    await fireEvent.input(screen.getByRole('textbox', { name: 'Prompt' }), { target: { value: '@Image1 to @Image2' } });
    await waitFor(() => expect(submit.disabled).toBe(false));
    await fireEvent.click(submit);
    await waitFor(() => expect(toasts.items.at(-1)?.message).toContain('Sent to RunComfy. It is number 3 in line.'));
    const [startId, endId] = [create.slots.start, create.slots.end].map((slot) => (slot.status === 'ready' ? slot.frame.id : ''));
    expect(fake.jobs.submit).toHaveBeenCalledWith({
      prompt: '@Image1 to @Image2',
      duration: create.duration,
      startFrameId: startId,
      endFrameId: endId,
    });
  });
});

describe('the price on Create', () => {
  beforeEach(() => {
    create.duration = 5;
  });

  it('shows the estimate for the chosen duration, and follows the duration', async () => {
    render(CreateScreen);
    const price = await screen.findByText('$0.56');
    expect(price.closest('[data-testid="price"]')?.textContent?.trim()).toBe('about $0.56');
    expect(price.closest('[data-testid="price"]')?.getAttribute('title')).toBe('RunComfy’s price: $0.112 per second.');
    await fireEvent.click(screen.getByRole('radio', { name: '10 s' }));
    expect(await screen.findByText('$1.12')).toBeTruthy();
  });

  it('says "price unavailable", with the reason on hover', async () => {
    fake.price.get.mockResolvedValueOnce({
      ok: true,
      value: { available: false, reason: 'RunComfy did not state a price for this model.' },
    });
    render(CreateScreen);
    const hint = await screen.findByText('price unavailable');
    expect(hint.getAttribute('title')).toBe(
      'RunComfy’s price could not be read: RunComfy did not state a price for this model. You can still make the video.',
    );
  });

  it('says "price unavailable" when main cannot be asked at all', async () => {
    fake.price.get.mockRejectedValueOnce(new Error('the bridge is closed'));
    render(CreateScreen);
    // The price is one state for the whole app: wait for this answer, not the one an earlier test left.
    await waitFor(() => expect(screen.getByText('price unavailable').getAttribute('title')).toContain('the bridge is closed'));
  });

  it('states the price as RunComfy gives it when its unit allows no estimate', async () => {
    fake.price.get.mockResolvedValueOnce({
      ok: true,
      value: { available: true, modelId: 'm', usdPerUnit: 0.05, unit: 'megapixel', readAt: new Date().toISOString() },
    });
    render(CreateScreen);
    expect(await screen.findByText('$0.05 per megapixel')).toBeTruthy();
  });
});
