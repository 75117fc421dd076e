/** The scanner the after-E2E secret search relies on: it must find a secret in every form it claims to. */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { findSecrets, scanTree } from './secret-scan';
import type { Secret } from './secret-scan';

const token: Secret = { name: 'token', value: 'e2e-token-4f2a9c1b7d3e' };
const bucket: Secret = { name: 'bucket secret', value: 'kf-e2e-bucket-secret-7c1d+/93a0' };

describe('secret scan', () => {
  it.each([
    ['plain', (s: string) => `log line: Bearer ${s}\n`],
    ['UTF-16, as Chromium keeps localStorage', (s: string) => Buffer.from(`{"k":"${s}"}`, 'utf16le')],
    ['URL-encoded', (s: string) => `https://x.example/?secret=${encodeURIComponent(s)}`],
    ['base64 at offset 0', (s: string) => Buffer.from(s).toString('base64')],
    ['base64 at offset 1', (s: string) => Buffer.from(`:${s}`).toString('base64')],
    ['base64 at offset 2', (s: string) => Buffer.from(`u:${s}`).toString('base64')],
    ['base64url', (s: string) => Buffer.from(`ab${s}`).toString('base64url')],
  ])('finds a secret written %s', (_how, write) => {
    for (const secret of [token, bucket]) {
      const written = write(secret.value);
      const bytes = Buffer.isBuffer(written) ? written : Buffer.from(written);
      expect(findSecrets(bytes, [token, bucket]).map((hit) => hit.secret)).toContain(secret.name);
    }
  });

  it('finds nothing in text that only resembles a secret', () => {
    const near = `e2e-token-4f2a9c1b7d3 …7d3e ${token.value.slice(0, 12)} kf-e2e-bucket-secret`;
    expect(findSecrets(Buffer.from(near), [token, bucket])).toEqual([]);
  });

  it('searches a folder tree, SQLite files included, without following symlinks out of it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-scan-'));
    const outside = await mkdtemp(join(tmpdir(), 'kf-scan-outside-'));
    await writeFile(join(outside, 'elsewhere.txt'), token.value);
    await mkdir(join(dir, 'library', 'job'), { recursive: true });
    await writeFile(join(dir, 'settings.json'), '{"theme":"dark"}');
    const db = new Database(join(dir, 'library', 'library.db'));
    db.exec('CREATE TABLE t (v TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run(`error: ${bucket.value}`);
    db.close();
    await symlink(join(outside, 'elsewhere.txt'), join(dir, 'link.txt'));
    await writeFile(join(dir, 'library', 'job', 'skipped.json'), token.value);

    const report = await scanTree(dir, [token, bucket], (path) => path.endsWith('skipped.json'));
    expect(report.files).toBe(2);
    expect(report.hits).toEqual([{ file: join('library', 'library.db'), secret: 'bucket secret', form: 'utf-8' }]);
  });
});
