import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import CreateScreen from '../screens/CreateScreen.svelte';
import { create } from '../state/create.svelte';
import { installFakeBridge } from '../test/fake-frames';

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

let fake: ReturnType<typeof installFakeBridge>;
beforeEach(() => {
  fake = installFakeBridge();
  create.duration = 5;
});

describe('the price on Create', () => {
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
    expect((await screen.findByText('price unavailable')).getAttribute('title')).toContain('the bridge is closed');
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
