/**
 * The carrier's browser side: provides `window.keyframe` over a WebSocket, built by the same
 * `buildBridge` as the Electron preload, so the renderer cannot tell the two apart.
 */
import { BRIDGE_GLOBAL, buildBridge } from '../../main/contract/bridge';
import type { Result } from '../../main/contract';
import { CARRIER_PATH } from './protocol';
import type { ClientMessage, ServerMessage } from './protocol';

const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${CARRIER_PATH}/ws`);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true });
  socket.addEventListener('error', () => reject(new Error('carrier connection failed')), { once: true });
});
const pending = new Map<number, (result: Result<unknown>) => void>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let nextId = 1;

socket.addEventListener('message', (event) => {
  const message = JSON.parse(String(event.data)) as ServerMessage;
  if ('id' in message) {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  } else {
    for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
  }
});
socket.addEventListener('close', () => {
  for (const [id, resolve] of pending) {
    resolve({ ok: false, error: { code: 'network', message: 'The connection to Keyframe closed.' } });
    pending.delete(id);
  }
});

const bridge = buildBridge({
  invoke: async (channel, args) => {
    await opened;
    const id = nextId++;
    // JSON turns a trailing `undefined` into null, which an optional argument refuses; Electron's
    // structured clone keeps it as missing. Drop trailing undefineds so both carriers agree.
    const trimmed = [...args];
    while (trimmed.length && trimmed.at(-1) === undefined) trimmed.pop();
    const message: ClientMessage = { id, channel, args: trimmed };
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify(message));
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
