import { describe, expect, it } from 'vitest';
import { createHandlers } from '../ipc/handlers';
import type { Services } from '../services';
import { buildBridge, eventKey } from './bridge';
import { eventNames, events, methodNames, methods } from './index';

describe('the bridge built from the contract', () => {
  const calls: [string, unknown[]][] = [];
  const subscribed: string[] = [];
  const bridge = buildBridge({
    invoke: async (channel, args) => {
      calls.push([channel, args]);
      return { ok: true, value: null };
    },
    subscribe: (channel) => {
      subscribed.push(channel);
      return () => {};
    },
  }) as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>;

  it('exposes exactly one function per contract method and event, and nothing else', () => {
    const exposed = Object.entries(bridge).flatMap(([domain, group]) => Object.keys(group).map((key) => `${domain}.${key}`));
    const declared = [...methodNames.map((name) => name.replace(':', '.')), ...eventNames.map((name) => `on.${eventKey(name)}`)];
    expect(exposed.sort()).toEqual(declared.sort());
    for (const group of Object.values(bridge)) for (const fn of Object.values(group)) expect(typeof fn).toBe('function');
  });

  it('is built from names that are exactly the contract’s methods and events (the preload carries the names only)', () => {
    expect([...methodNames].sort()).toEqual(Object.keys(methods).sort());
    expect([...eventNames].sort()).toEqual(Object.keys(events).sort());
  });

  it('is frozen, so page scripts cannot add a channel', () => {
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge['settings'])).toBe(true);
  });

  it('sends each method on its own channel with its arguments', async () => {
    await bridge['settings']['set']({ theme: 'dark' });
    expect(calls.at(-1)).toEqual(['settings:set', [{ theme: 'dark' }]]);
    bridge['on']['settingsChanged'](() => {});
    expect(subscribed).toEqual(['settings:changed']);
  });

  it('has a handler for every contract method, and no handler outside it', () => {
    const handlers = createHandlers({} as Services);
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(methods).sort());
  });
});
