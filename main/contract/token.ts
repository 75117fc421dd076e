import { z } from 'zod';

/** Where the token in use came from. `session`: typed in, kept in memory only (keychain unusable). */
export const TokenSource = z.enum(['keychain', 'env', 'session']);
export type TokenSource = z.infer<typeof TokenSource>;

/**
 * What the renderer may know about the RunComfy API token: never the token itself, only whether
 * one is usable, where it came from and its last four characters (to recognise it).
 */
export const TokenStatus = z.object({
  /** missing: none set. set: in use, not known to be bad. invalid: RunComfy refused it (401/403). */
  state: z.enum(['missing', 'set', 'invalid']),
  source: TokenSource.nullable(),
  last4: z.string().max(4).nullable(),
  /** How this system's keychain is called, for messages ("GNOME Keyring", "the macOS Keychain"). */
  keychainName: z.string(),
  /** Why the keychain cannot be used right now (what to install or unlock), or null. */
  keychainProblem: z.string().nullable(),
  /** RunComfy's own CLI is signed in on this computer with a different token that can be imported. */
  cliToken: z.object({ last4: z.string().max(4) }).nullable(),
  /** Where the token is sent: RunComfy's API unless KEYFRAME_API_BASE_URL or Settings say otherwise. */
  api: z.object({ url: z.string(), source: z.enum(['default', 'settings', 'env']) }),
});
export type TokenStatus = z.infer<typeof TokenStatus>;

/** A token as pasted: surrounding whitespace is trimmed by main, which checks the rest. */
export const TokenInput = z.string().max(4096, 'That is too long to be a RunComfy API token.');

export const SaveTokenOptions = z
  .object({
    /** Keep the token in memory for this session only (when the keychain cannot be used). */
    sessionOnly: z.boolean(),
  })
  .partial()
  .strict();
export type SaveTokenOptions = z.infer<typeof SaveTokenOptions>;
