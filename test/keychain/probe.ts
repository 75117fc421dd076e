/**
 * Run in a child process by the keychain tests, inside a D-Bus session they set up (no Secret
 * Service, or a locked keyring): tries to save and read a secret and prints what happened as JSON.
 */
import { AppError } from '../../main/contract';
import { KeytarSecretStore } from '../../main/services/keychain/keytar-store';
import { createLogger } from '../../main/services/log';

const store = new KeytarSecretStore(
  `Keyframe probe ${process.pid}`,
  createLogger(() => {}),
);
try {
  await store.set('probe', 'probe-secret');
  await store.delete('probe');
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(
    JSON.stringify(
      error instanceof AppError ? { ok: false, code: error.code, message: error.message } : { ok: false, message: String(error) },
    ),
  );
}
