/**
 * The carrier's browser side: provides `window.keyframe` over a WebSocket (held by a worker,
 * socket-worker.ts), built by the same `buildBridge` as the Electron preload, so the renderer
 * cannot tell the two apart.
 */
import { BRIDGE_GLOBAL, buildBridge } from '../../main/contract/bridge';
import type { Result } from '../../main/contract';
import { CARRIER_PATH } from './protocol';
import type { ClientMessage, ServerMessage, WorkerNotice } from './protocol';

const worker = new Worker(`${CARRIER_PATH}/socket-worker.js`);
const pending = new Map<number, (result: Result<unknown>) => void>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let nextId = 1;
let closed = false;
const CLOSED: Result<unknown> = { ok: false, error: { code: 'network', message: 'The connection to Keyframe closed.' } };

function close(): void {
  closed = true;
  for (const [id, resolve] of pending) {
    resolve(CLOSED);
    pending.delete(id);
  }
}

// A worker that cannot load says so only here; no call may wait forever for it.
worker.addEventListener('error', close);
worker.addEventListener('message', (event: MessageEvent<ServerMessage | WorkerNotice>) => {
  const message = event.data;
  if ('closed' in message) close();
  else if ('id' in message) {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  } else {
    for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
  }
});

const bridge = buildBridge({
  invoke: async (channel, args) => {
    if (closed) return CLOSED;
    const id = nextId++;
    // JSON turns a trailing `undefined` into null, which an optional argument refuses; Electron's
    // structured clone keeps it as missing. Drop trailing undefineds so both carriers agree.
    const trimmed = [...args];
    while (trimmed.length && trimmed.at(-1) === undefined) trimmed.pop();
    const message: ClientMessage = { id, channel, args: trimmed };
    return new Promise((resolve) => {
      pending.set(id, resolve);
      worker.postMessage(message);
    });
  },
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener);
    return () => set.delete(listener);
  },
});

Object.defineProperty(window, BRIDGE_GLOBAL, { value: bridge, writable: false, configurable: false });
