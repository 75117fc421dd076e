/**
 * Where requests go: the API origin (environment, setting or RunComfy's own), the paths of the
 * Model API, and the rule that the token travels only over https or to this computer.
 */
import { AppError } from '../../contract';
import { MODEL_ID } from '../../contract/model';

export const DEFAULT_BASE_URL = 'https://model-api.runcomfy.net';

export interface ApiAddress {
  url: string;
  source: 'default' | 'settings' | 'env';
}

/** Base URL precedence: KEYFRAME_API_BASE_URL, then the setting, then RunComfy. */
export function describeBaseUrl(env: NodeJS.ProcessEnv, setting: string): ApiAddress {
  const fromEnv = env['KEYFRAME_API_BASE_URL']?.trim();
  if (fromEnv) return { url: fromEnv, source: 'env' };
  if (setting.trim()) return { url: setting.trim(), source: 'settings' };
  return { url: DEFAULT_BASE_URL, source: 'default' };
}

export function resolveBaseUrl(env: NodeJS.ProcessEnv, setting: string): string {
  return describeBaseUrl(env, setting).url;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The configured API origin, if it is one the token may be sent to. */
export function apiRoot(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_input', `The API address "${raw.slice(0, 100)}" is not a web address. Fix it in Settings.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  throw new AppError(
    'invalid_input',
    'Keyframe sends your API token only over https (or plain http to this computer, for a test server). Change the API address in Settings.',
  );
}

/** `path` under the API root (which may itself have a path, e.g. behind a proxy). */
export function endpointOf(root: URL, path: string): URL {
  return new URL(root.pathname.replace(/\/+$/, '') + path, root);
}

/** The model's own path: submit posts to it, and its description (with the price) is read from it. */
export const modelPath = `/v1/models/${MODEL_ID}`;

export const requestPath = (id: string, verb: 'status' | 'result' | 'cancel') => `/v1/requests/${encodeURIComponent(id)}/${verb}`;

/** A URL the server gave us, if it points at the API's own origin; otherwise the one we build. */
export function pickUrl(given: string | undefined, built: URL): URL {
  if (!given) return built;
  try {
    const url = new URL(given);
    return url.origin === built.origin ? url : built;
  } catch {
    return built;
  }
}
