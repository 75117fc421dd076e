/**
 * `npm run scan:electron`: runs electronegativity (Doyensec's static Electron security scanner,
 * pinned, fetched with npx) over the app's source — main/ and the renderer's TypeScript and
 * index.html, tests left out — and fails on any finding not reviewed in
 * electronegativity-reviewed.json, and on any file the scanner could not parse (a scan that
 * skipped files proves nothing). Svelte components are not JavaScript the tool can read.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareWithReviews, parseFindings } from './electronegativity-review';
import type { Review } from './electronegativity-review';

const VERSION = '1.10.3';
const root = resolve(import.meta.dirname, '../..');
const electron = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['electron'].replace(/^[^\d]*/, '');

const stage = mkdtempSync(join(tmpdir(), 'kf-electronegativity-'));
const notTests = (path: string) => !/\.test\.ts$|[\\/]test[\\/]/.test(path);
cpSync(join(root, 'main'), join(stage, 'main'), { recursive: true, filter: notTests });
cpSync(join(root, 'renderer', 'index.html'), join(stage, 'renderer', 'index.html'));
cpSync(join(root, 'renderer', 'src'), join(stage, 'renderer', 'src'), { recursive: true, filter: notTests });

const report = join(stage, 'findings.csv');
const run = spawnSync(
  'npx',
  [
    '-y',
    `@doyensec/electronegativity@${VERSION}`,
    ...['-i', stage, '-r', '-v', 'false', '-o', report],
    ...['-e', electron, '-x', 'AvailableSecurityFixesGlobalCheck'],
  ],
  {
    cwd: stage,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `--require ${join(import.meta.dirname, 'electronegativity-offline.cjs')}` },
  },
);
// eslint-disable-next-line no-control-regex -- the tool's colour codes
const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
let failed = false;
if (run.status !== 0) {
  console.error(output);
  console.error(`electronegativity ${VERSION} exited with ${run.status}`);
  process.exit(1);
}
const unparsed = output.split('\n').filter((line) => /Error parsing/i.test(line));
if (unparsed.length) {
  console.error(`electronegativity could not parse ${unparsed.length} file(s), so it did not check them:\n${unparsed.join('\n')}`);
  failed = true;
}

const findings = parseFindings(readFileSync(report, 'utf8'));
const reviews = JSON.parse(readFileSync(join(import.meta.dirname, 'electronegativity-reviewed.json'), 'utf8')) as Review[];
const { unreviewed, stale } = compareWithReviews(findings, reviews);
rmSync(stage, { recursive: true, force: true });

console.log(
  `electronegativity ${VERSION} (Electron ${electron}): ${findings.length} finding(s), ${findings.length - unreviewed.length} reviewed`,
);
for (const finding of findings) {
  const mark = unreviewed.includes(finding) ? 'NOT REVIEWED' : 'reviewed';
  console.log(`  ${mark.padEnd(12)} ${finding.id} ${finding.file}:${finding.location} ${finding.sample.slice(0, 90)}`);
}
for (const review of stale) console.log(`  (no longer reported, remove from the reviewed list: ${review.id} ${review.file})`);
if (unreviewed.length) {
  console.error(`${unreviewed.length} finding(s) need a fix or a review in test/security/electronegativity-reviewed.json`);
  failed = true;
}
process.exit(failed ? 1 : 0);
