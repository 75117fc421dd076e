/**
 * The carrier's WebSocket, off the page's thread. The page hands each message over by structured
 * clone, as Electron's IPC takes it; the JSON and the socket's own work (megabytes for a frame's
 * bytes, about a second of a busy page's time) happen here.
 */
import { CARRIER_PATH } from './protocol';
import type { ClientMessage, ServerMessage, WorkerNotice } from './protocol';

/** A dedicated worker's global (the project's type-check knows the page's globals, not a worker's). */
const scope = self as unknown as {
  postMessage(message: ServerMessage | WorkerNotice): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ClientMessage>) => void): void;
};
const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${CARRIER_PATH}/ws`);
const waiting: string[] = [];

socket.addEventListener('open', () => {
  for (const text of waiting.splice(0)) socket.send(text);
});
socket.addEventListener('message', (event) => scope.postMessage(JSON.parse(String(event.data)) as ServerMessage));
socket.addEventListener('close', () => scope.postMessage({ closed: true } satisfies WorkerNotice));

scope.addEventListener('message', (event) => {
  const text = JSON.stringify(event.data);
  if (socket.readyState === WebSocket.CONNECTING) waiting.push(text);
  else if (socket.readyState === WebSocket.OPEN) socket.send(text);
  else scope.postMessage({ closed: true } satisfies WorkerNotice);
});
