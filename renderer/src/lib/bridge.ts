/**
 * The renderer's only door to main. `window.keyframe` is provided by the Electron preload or by
 * the loopback carrier; both are built from the same contract. `call` unwraps a Result into a
 * value or a `BridgeError` with the contract's error code.
 */
import type { Bridge } from '$contract/bridge';
import type { ErrorCode, ErrorInfo, Result } from '$contract';

declare global {
  interface Window {
    keyframe?: Bridge;
  }
}

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'BridgeError';
    this.code = info.code;
    this.details = info.details;
  }
}

export function bridge(): Bridge {
  if (!window.keyframe) throw new Error('Keyframe must be opened from the app (its bridge is missing).');
  return window.keyframe;
}

export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new BridgeError(result.error);
  return result.value;
}
