import { describe, expect, it } from 'vitest';
import type { Result } from '$contract';
import { call } from '../lib/bridge';
import { Actions, Live } from './live.svelte';

/** A stand-in for one bridge event: `emit` calls every listener subscribed and not yet stopped. */
function fakeEvent<T>() {
  const listeners = new Set<(value: T) => void>();
  return {
    subscribe: (listener: (value: T) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (value: T) => listeners.forEach((listener) => listener(value)),
    get count() {
      return listeners.size;
    },
  };
}

describe('Live', () => {
  it('reads the value, follows its event, and stops following when told', async () => {
    const changed = fakeEvent<string>();
    const live = new Live(async () => 'first', { changed: changed.subscribe });
    expect(live.value).toBeUndefined();
    await live.load();
    expect(live.value).toBe('first');
    const stop = live.listen();
    changed.emit('pushed by main');
    expect(live.value).toBe('pushed by main');
    stop();
    expect(changed.count).toBe(0);
    changed.emit('after stop');
    expect(live.value).toBe('pushed by main');
  });

  it('reads again after each refresh event', async () => {
    const tokenChanged = fakeEvent<unknown>();
    let reads = 0;
    const live = new Live(async () => ++reads, { refreshOn: [tokenChanged.subscribe] });
    const stop = live.listen();
    tokenChanged.emit({});
    await expect.poll(() => live.value).toBe(1);
    tokenChanged.emit({});
    await expect.poll(() => live.value).toBe(2);
    stop();
    expect(tokenChanged.count).toBe(0);
  });
});

describe('Actions', () => {
  it('runs one action at a time and keeps how it failed, with the bridge error code', async () => {
    const actions = new Actions<'saving' | 'testing'>();
    let finish!: () => void;
    const saving = actions.run('saving', () => new Promise<void>((resolve) => (finish = resolve)));
    expect(actions.busy).toBe('saving');
    expect(await actions.run('testing', async () => undefined)).toBe(false);
    finish();
    expect(await saving).toBe(true);
    expect(actions.busy).toBeUndefined();

    const refused: Promise<Result<null>> = Promise.resolve({ ok: false, error: { code: 'keychain_unavailable', message: 'Locked.' } });
    expect(await actions.run('testing', () => call(refused).then(() => undefined))).toBe(false);
    expect(actions.errorOf('testing')).toEqual({ code: 'keychain_unavailable', message: 'Locked.' });
    expect(actions.errorOf('saving')).toBeUndefined();
    expect(actions.errorOf()).toEqual({ code: 'keychain_unavailable', message: 'Locked.' });

    expect(await actions.run('saving', () => Promise.reject(new Error('disk full')))).toBe(false);
    expect(actions.errorOf('saving')).toEqual({ code: 'internal', message: 'disk full' });
    actions.clearError();
    expect(actions.errorOf()).toBeUndefined();
  });
});
