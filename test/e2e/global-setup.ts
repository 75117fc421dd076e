import { rmSync } from 'node:fs';
import { E2E_DATA_DIR, launchMode } from './fixtures';
import runTmpdir from '../run-tmpdir';

export default function globalSetup(): () => void {
  const how =
    launchMode === 'electron'
      ? `E2E launcher: real Electron (${process.env['ELECTRON_PATH']})`
      : 'E2E launcher: built renderer in /usr/bin/chromium through the loopback contract carrier (no Electron binary on this machine; set ELECTRON_PATH to run in Electron)';
  console.log(how);
  // A fresh place for this run's user data (the secrets scan searches it at the end).
  rmSync(E2E_DATA_DIR, { recursive: true, force: true });
  return runTmpdir();
}
