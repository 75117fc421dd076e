/**
 * Cancelling a storyboard's export through the UI leaves nothing behind: no cut, no part file, no
 * sidecar; the app says it was cancelled, and the next export succeeds. The export is held
 * mid-write by the carrier's gate (test/carrier/export-gate.ts) until the cancel reaches it, so the
 * click always lands while the cut is being written, however fast this machine writes it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { partPath } from '../../main/services/storyboard/cut';
import { until } from '../jobs/cli-harness';
import { ExportGate } from '../carrier/export-gate';
import { madeBoard } from './board-setup';
import { expect, test } from './fixtures';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/video', name));

test('an export cancelled mid-write leaves no file and says so; the next one succeeds', async ({ app, fakeApi }) => {
  test.skip(!app.services, 'the gate holds the export in the services, reachable in carrier mode only');
  test.slow(true, 'two jobs made and downloaded, then two exports, on a shared 2-core machine');
  const page = app.page;
  const services = app.services!;
  fakeApi.plan = { queuePositions: 0, warmup: [] };
  fakeApi.configure({ videos: [fixture('shot-a.mp4'), fixture('shot-b.mp4')] });
  const made = await madeBoard(services, app.userDataDir, 'Pier at noon', ['The boat docks', 'The crew steps off']);
  const takes = await until(() => {
    const shots = services.storyboard.get(made.id).shots;
    return shots.every((shot) => shot.takes.some((take) => take.videoUrl)) && shots;
  }, 'both takes downloaded');
  for (const shot of takes) await services.storyboard.pick(made.id, shot.key, shot.takes[0].jobId);
  const gate = new ExportGate(services.storyboard.exports);

  await page.keyboard.press('Control+4');
  await page.getByRole('button', { name: 'Open Pier at noon' }).click();
  const exporter = page.getByRole('group', { name: 'Export' });
  const out = join(app.userDataDir, 'pier.mp4');
  const sidecar = join(app.userDataDir, 'pier.json');

  // The export starts and is held with packets written: its hidden part file is there, the page shows progress.
  app.platform.saveDialogAnswers.push(out);
  await exporter.getByRole('button', { name: /Export MP4/ }).click();
  expect(await gate.reached()).toBeGreaterThan(0);
  expect(existsSync(partPath(out))).toBe(true);
  await expect(exporter.getByRole('status')).toHaveText('Writing the cut…');
  await expect(exporter.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
  await app.screenshot('storyboard-export-writing');

  // Cancel: the app says so, and nothing is left: no cut, no part file, no sidecar.
  await exporter.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Export cancelled; nothing was left behind.')).toBeVisible();
  await expect(exporter.getByRole('button', { name: /Export MP4/ })).toBeEnabled();
  await app.screenshot('storyboard-export-cancelled');
  expect(existsSync(out)).toBe(false);
  expect(existsSync(partPath(out))).toBe(false);
  expect(existsSync(sidecar)).toBe(false);

  // The next export to the same place runs through and writes the cut and its sidecar.
  gate.open();
  app.platform.saveDialogAnswers.push(out);
  await exporter.getByRole('button', { name: /Export MP4/ }).click();
  await expect(exporter.getByText('Exported pier.mp4')).toBeVisible({ timeout: 30_000 });
  expect(statSync(out).size).toBeGreaterThan(0);
  expect(existsSync(partPath(out))).toBe(false);
  expect(JSON.parse(readFileSync(sidecar, 'utf8')).export).toMatchObject({ file: 'pier.mp4', mode: 'remux', shots: 2 });
});
