/**
 * Builds the renderer-facing `keyframe` object from the contract's lists. The Electron preload and
 * the test/demo carrier both call this with their own transport, so the bridge is written once
 * and can never expose a channel the contract does not declare.
 */
import { eventNames, methodNames } from './channels';
import type { EventName, MethodName } from './channels';
import type { EventPayload, MethodArgs, MethodResult } from './index';
import type { Result } from './errors';

export interface BridgeTransport {
  invoke(channel: MethodName, args: unknown[]): Promise<Result<unknown>>;
  subscribe(channel: EventName, listener: (payload: unknown) => void): () => void;
}

type DomainOf<M extends string> = M extends `${infer D}:${string}` ? D : never;
type EventKey<E extends string> = E extends `${infer D}:${infer V}` ? `${D}${Capitalize<V>}` : never;

export type Bridge = {
  [D in DomainOf<MethodName>]: {
    [M in MethodName as M extends `${D}:${infer V}` ? V : never]: (...args: MethodArgs<M>) => Promise<Result<MethodResult<M>>>;
  };
} & {
  on: {
    [E in EventName as EventKey<E>]: (listener: (payload: EventPayload<E>) => void) => () => void;
  };
};

export const BRIDGE_GLOBAL = 'keyframe';

export function eventKey(name: string): string {
  const [domain, verb] = name.split(':');
  return domain + verb.charAt(0).toUpperCase() + verb.slice(1);
}

export function buildBridge(transport: BridgeTransport): Bridge {
  const bridge: Record<string, Record<string, unknown>> = { on: {} };
  for (const name of methodNames) {
    const [domain, verb] = name.split(':');
    bridge[domain] ??= {};
    bridge[domain][verb] = (...args: unknown[]) => transport.invoke(name, args);
  }
  for (const name of eventNames) {
    bridge.on[eventKey(name)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`on.${eventKey(name)} needs a function`);
      return transport.subscribe(name, listener);
    };
  }
  for (const group of Object.values(bridge)) Object.freeze(group);
  return Object.freeze(bridge) as unknown as Bridge;
}
