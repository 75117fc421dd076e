/**
 * The global setup of Vitest and Playwright: the run gets one temporary folder of its own, and every temporary folder
 * the tests make (`os.tmpdir()`), and the processes they start, goes under it. It is removed when
 * the run ends, so runs leave nothing behind in the system's temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'keyframe-test-run-'));
  process.env['TMPDIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
