/**
 * Secrets (the RunComfy API token, later the bucket's secret key) live in the OS keychain, one
 * entry per account under one service name, and nowhere else on disk.
 */
export interface SecretStore {
  /** The keychain's name as users know it, for messages. */
  readonly displayName: string;
  /** The stored secret, or undefined when there is none. */
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  /** True when an entry was removed. */
  delete(account: string): Promise<boolean>;
}

/** The service name users see in their keychain app (Seahorse, Keychain Access, Credential Manager). */
export const KEYCHAIN_SERVICE = 'Keyframe';

/** Accounts under that service. */
export const SECRET_ACCOUNTS = {
  runcomfyToken: 'RunComfy API token',
  s3SecretKey: 'S3 secret access key',
} as const;
