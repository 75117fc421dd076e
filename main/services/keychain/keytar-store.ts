/**
 * The SecretStore on the OS keychain through keytar: macOS Keychain, Windows Credential Manager,
 * or the Secret Service on Linux (GNOME Keyring, KWallet). Every failure becomes
 * `AppError('keychain_unavailable')` with a message that says what to install or unlock; the
 * original error goes to the log only.
 */
import { AppError } from '../../contract';
import type { Logger } from '../log';
import type { SecretStore } from './secret-store';

type Keytar = typeof import('keytar');

export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'your keyring (Secret Service)';
}

/** Turns whatever keytar threw into a message that says what the user can do about it. */
export function keychainProblem(error: unknown, platform: NodeJS.Platform = process.platform): string {
  const text = error instanceof Error ? error.message : String(error);
  if (platform === 'linux') {
    if (/locked collection|collection\/login|object does not exist|prompt|dismissed|cancel/i.test(text)) {
      return (
        'Your keyring is locked or has no default keyring yet. Unlock it (for example in "Passwords and Keys", or by ' +
        'signing in to your desktop again) and try again.'
      );
    }
    if (
      // "…was not provided by any .service files" names org.freedesktop.secrets, or (when the keyring
      // went away while Keyframe ran) the bus name it had, such as ":1.0".
      /was not provided by any \.service files|org\.freedesktop\.secrets|secret service|d-?bus|could not connect|autolaunch|no such interface/i.test(
        text,
      )
    ) {
      return (
        'Keyframe keeps your API token in the system keyring, but no keyring service is running. Install and start ' +
        'GNOME Keyring (packages gnome-keyring and libsecret-1-0) or KWallet with its Secret Service enabled, then try again.'
      );
    }
  }
  if (platform === 'darwin' && /interaction is not allowed|passphrase|locked|denied/i.test(text)) {
    return 'Your macOS Keychain is locked or refused access. Unlock it in Keychain Access and try again.';
  }
  if (/cannot find module|did not self-register|invalid elf|dlopen|libsecret/i.test(text)) {
    return (
      'Keyframe could not load its keychain module. On Linux install libsecret (package libsecret-1-0) and restart ' +
      'Keyframe; elsewhere, reinstall Keyframe.'
    );
  }
  return `Keyframe could not use ${keychainName(platform)}. Check that it is unlocked and try again.`;
}

export class KeytarSecretStore implements SecretStore {
  readonly displayName: string;
  #keytar?: Promise<Keytar>;

  constructor(
    readonly service: string,
    private readonly log: Logger,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.displayName = keychainName(platform);
  }

  get(account: string): Promise<string | undefined> {
    return this.#use('read', async (keytar) => (await keytar.getPassword(this.service, account)) ?? undefined);
  }

  set(account: string, secret: string): Promise<void> {
    return this.#use('save', (keytar) => keytar.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.#use('delete', (keytar) => keytar.deletePassword(this.service, account));
  }

  async #use<T>(action: string, run: (keytar: Keytar) => Promise<T>): Promise<T> {
    try {
      this.#keytar ??= import('keytar').then((module) => (module.default ?? module) as Keytar);
      return await run(await this.#keytar);
    } catch (error) {
      this.log.warn('keychain', `could not ${action} a secret in ${this.displayName}`, error);
      throw new AppError('keychain_unavailable', keychainProblem(error, this.platform), { cause: error });
    }
  }
}
