/**
 * The RunComfy API token: kept in the OS keychain and in this process's memory only. The renderer
 * learns whether one is usable, where it came from and its last four characters, never the token.
 *
 * Sources, strongest first: `RUNCOMFY_TOKEN` in the environment (used for the session, never
 * written), the keychain, or a token typed in for this session only (when the keychain cannot be
 * used). RunComfy's CLI sign-in (its token.json, found where the CLI looks: cli-token.ts) is
 * offered for import while it has not expired, never used without the user's consent.
 *
 * A token is verified before it is kept. RunComfy has no "who am I" endpoint, so verification
 * asks for the status of a random, well-formed request id: 401/403 means the token is wrong, 404
 * means RunComfy accepted the token and just does not know that id.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract';
import type { SaveTokenOptions, TokenSource, TokenStatus } from '../../contract';
import type { EventBus } from '../events';
import { EXTERNAL_LINKS } from '../external-links';
import { SECRET_ACCOUNTS } from '../keychain/secret-store';
import type { SecretStore } from '../keychain/secret-store';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import { findCliToken } from './cli-token';
import { DEFAULT_BASE_URL } from './address';
import type { ApiAddress } from './address';
import type { RunComfyClient } from './client';

/** Where RunComfy users make and copy API tokens. The only page `openTokenPage` opens. */
export const TOKEN_PAGE_URL = EXTERNAL_LINKS.runcomfyTokenPage;
const VERIFY_TIMEOUT_MS = 15_000;

export interface TokenServiceOptions {
  store: SecretStore;
  client: RunComfyClient;
  env: NodeJS.ProcessEnv;
  events: EventBus;
  log: Logger;
  platform: Platform;
  account?: string;
  /** Where API calls go now (for the renderer to show when it is not RunComfy's own API). */
  api?: () => ApiAddress;
  /** The clock that decides whether the CLI's sign-in has expired (ms). */
  now?: () => number;
  /** Which OS's places to look in for the CLI's sign-in (tests); this one's by default. */
  os?: NodeJS.Platform;
}

/** Trims what was pasted and checks it could be a token, without ever repeating it. */
export function normalizeToken(raw: string): string {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  if (!token) throw new AppError('invalid_input', 'Paste your RunComfy API token first.');
  if (/\s/.test(token)) {
    throw new AppError('invalid_input', 'The token has spaces or line breaks inside. Copy it again from your RunComfy profile.');
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new AppError(
      'invalid_input',
      'The token has characters a RunComfy API token cannot have. Copy it again from your RunComfy profile.',
    );
  }
  return token;
}

const lastFour = (token: string) => (token.length >= 8 ? token.slice(-4) : null);

export class TokenService {
  readonly account: string;
  #token: string | undefined;
  #source: TokenSource | null = null;
  #state: TokenStatus['state'] = 'missing';
  #keychainProblem: string | null = null;
  #cliToken: { token: string; expiresAt?: number } | undefined;
  #listeners = new Set<(status: TokenStatus) => void>();

  constructor(private readonly options: TokenServiceOptions) {
    this.account = options.account ?? SECRET_ACCOUNTS.runcomfyToken;
  }

  /** Reads the environment, the keychain and the CLI's file. Never throws. */
  async load(): Promise<TokenStatus> {
    const fromEnv = this.options.env['RUNCOMFY_TOKEN']?.trim();
    if (fromEnv) {
      this.#use(fromEnv, 'env');
    } else {
      try {
        const stored = await this.options.store.get(this.account);
        if (stored) this.#use(stored, 'keychain');
      } catch (error) {
        this.#keychainProblem = error instanceof AppError ? error.message : String(error);
      }
    }
    await this.#lookForCliToken();
    return this.status();
  }

  status(): TokenStatus {
    const offer = this.#cliToken;
    const stillValid = offer && (offer.expiresAt === undefined || offer.expiresAt > (this.options.now ?? Date.now)());
    const cli = stillValid && offer.token !== this.#token && this.#source !== 'env' ? lastFour(offer.token) : null;
    return {
      state: this.#state,
      source: this.#source,
      last4: this.#token ? lastFour(this.#token) : null,
      keychainName: this.options.store.displayName,
      keychainProblem: this.#keychainProblem,
      cliToken: cli ? { last4: cli } : null,
      api: this.options.api?.() ?? { url: DEFAULT_BASE_URL, source: 'default' },
    };
  }

  /** The token for API calls, while it is usable. */
  current(): string | undefined {
    return this.#state === 'set' ? this.#token : undefined;
  }

  /** Verifies a pasted token with RunComfy, then keeps it. Nothing is kept if verification fails. */
  async save(raw: string, options: SaveTokenOptions = {}): Promise<TokenStatus> {
    this.#refuseIfFromEnv('replace');
    const token = normalizeToken(raw);
    this.options.log.addSecret(token);
    await this.#verify(token);
    if (!options.sessionOnly) {
      try {
        await this.options.store.set(this.account, token);
        this.#keychainProblem = null;
      } catch (error) {
        if (error instanceof AppError) this.#keychainProblem = error.message;
        this.#announce();
        throw error;
      }
    }
    this.#use(token, options.sessionOnly ? 'session' : 'keychain');
    this.options.log.info('token', `API token …${lastFour(token) ?? ''} verified and kept (${this.#source})`);
    this.#announce();
    return this.status();
  }

  /** Checks the token in use with RunComfy again (after an error, or when the user asks). */
  async verify(): Promise<TokenStatus> {
    const token = this.#token;
    if (!token) throw new AppError('bad_token', 'No RunComfy API token is set. Add your token to continue.');
    await this.#verify(token);
    if (this.#state !== 'set' && this.#token === token) {
      this.#state = 'set';
      this.#announce();
    }
    return this.status();
  }

  async remove(): Promise<TokenStatus> {
    this.#refuseIfFromEnv('remove');
    if (this.#source === 'keychain') await this.options.store.delete(this.account);
    this.options.log.info('token', 'API token removed');
    this.#token = undefined;
    this.#source = null;
    this.#state = 'missing';
    await this.#lookForCliToken();
    this.#announce();
    return this.status();
  }

  /** Imports the token RunComfy's CLI saved (the user asked for it), verified like a pasted one. */
  async importFromCli(): Promise<TokenStatus> {
    const found = await this.#findCliToken();
    if (found?.token) return this.save(found.token);
    await this.#lookForCliToken();
    this.#announce();
    if (found?.expiredAt) {
      throw new AppError(
        'not_found',
        `The sign-in of RunComfy's command-line tool (${found.path}) expired on ${new Date(found.expiredAt).toISOString().slice(0, 10)}. ` +
          'Sign in there again (runcomfy login), or paste a token here.',
      );
    }
    const where = found?.path ?? 'the places it keeps it';
    throw new AppError('not_found', `RunComfy's command-line tool has no usable saved token at ${where} any more.`);
  }

  /** RunComfy refused this token (401/403 on any call): ask the user for a new one. */
  markInvalid(token: string): void {
    if (token !== this.#token || this.#state !== 'set') return;
    this.#state = 'invalid';
    this.options.log.warn('token', `RunComfy refused the API token …${lastFour(token) ?? ''}; asking for a new one`);
    this.#announce();
  }

  async openTokenPage(): Promise<null> {
    await this.options.platform.openExternal(TOKEN_PAGE_URL);
    return null;
  }

  #use(token: string, source: TokenSource): void {
    this.options.log.addSecret(token);
    this.#token = token;
    this.#source = source;
    this.#state = 'set';
  }

  /** Calls `listener` whenever the status is told (services that depend on the token); returns the function that stops it. */
  onChange(listener: (status: TokenStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells the renderer and the listening services the status again (e.g. after the API address changed in Settings). */
  announce(): void {
    this.#announce();
  }

  #announce(): void {
    const status = this.status();
    for (const listener of this.#listeners) listener(status);
    this.options.events.emit('token:changed', status);
  }

  async #lookForCliToken(): Promise<void> {
    const found = await this.#findCliToken();
    this.#cliToken = found?.token ? { token: found.token, expiresAt: found.expiresAt } : undefined;
  }

  async #findCliToken() {
    const found = await findCliToken(this.options.env, (this.options.now ?? Date.now)(), this.options.os);
    if (found?.token) this.options.log.addSecret(found.token);
    return found;
  }

  #refuseIfFromEnv(action: 'replace' | 'remove'): void {
    if (this.#source !== 'env') return;
    throw new AppError(
      'invalid_input',
      `The token comes from RUNCOMFY_TOKEN in Keyframe's environment. To ${action} it, change or unset that variable and restart Keyframe.`,
    );
  }

  async #verify(token: string): Promise<void> {
    try {
      await this.options.client.status(randomUUID(), { token, timeoutMs: VERIFY_TIMEOUT_MS, retry: { attempts: 2 } });
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return;
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'bad_token') {
        throw new AppError(
          'bad_token',
          'RunComfy did not accept this token. Check that you copied all of it from your RunComfy profile, or make a new one there.',
          { details: error.details },
        );
      }
      throw new AppError(error.code, `${error.message} The token was not saved.`, { details: error.details });
    }
  }
}
