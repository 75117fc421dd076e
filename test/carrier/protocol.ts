/** Messages on the carrier's WebSocket. The carrier stands in for Electron IPC in tests and the demo. */
import type { Result } from '../../main/contract';

export const CARRIER_PATH = '/__carrier';
export const CARRIER_COOKIE = 'kf_carrier';

export type ClientMessage = { id: number; channel: string; args: unknown[] };
export type ServerMessage = { id: number; result: Result<unknown> } | { event: string; payload: unknown };
/** From the carrier's socket worker to the page: the connection to Keyframe is gone. */
export type WorkerNotice = { closed: true };
