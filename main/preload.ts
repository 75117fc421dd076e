/**
 * The preload: exposes exactly the contract (built by `buildBridge`) as `window.keyframe`.
 * Runs sandboxed; bundles its imports.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, buildBridge } from './contract/bridge';
import type { Result } from './contract';

const bridge = buildBridge({
  invoke: (channel, args) => ipcRenderer.invoke(channel, ...args) as Promise<Result<unknown>>,
  subscribe: (channel, listener) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
});

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
