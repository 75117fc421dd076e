/**
 * Searches files for secrets, byte for byte, in the forms a secret could be written in: UTF-8,
 * UTF-16 (Chromium's storage), URL-encoded, and base64 (a careless `btoa`, a data URI, an auth
 * header) at each of its three alignments. Used after the E2E run to search everything the app
 * left on disk, and by the renderer-memory E2E on a heap snapshot.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface Secret {
  /** Printed instead of the value. */
  name: string;
  value: string;
}

export interface Hit {
  file: string;
  secret: string;
  form: string;
}

export interface ScanReport {
  files: number;
  bytes: number;
  hits: Hit[];
}

/** Every byte sequence that would show `value` is present. */
export function secretForms(value: string): { form: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(value, 'utf8');
  const forms = [
    { form: 'utf-8', bytes: utf8 },
    { form: 'utf-16', bytes: Buffer.from(value, 'utf16le') },
    { form: 'url-encoded', bytes: Buffer.from(encodeURIComponent(value)) },
  ];
  for (let shift = 0; shift < 3; shift++) {
    // Base64 of the secret preceded by `shift` other bytes: the groups made of the secret's bytes only.
    const encoded = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    const from = shift === 0 ? 0 : 4;
    const to = Math.floor((shift + utf8.length) / 3) * 4;
    const core = encoded.slice(from, to);
    if (core.length >= 12) {
      forms.push({ form: `base64(+${shift})`, bytes: Buffer.from(core) });
      const url = core.replaceAll('+', '-').replaceAll('/', '_');
      if (url !== core) forms.push({ form: `base64url(+${shift})`, bytes: Buffer.from(url) });
    }
  }
  return forms.filter((entry, index) => forms.findIndex((other) => other.bytes.equals(entry.bytes)) === index);
}

/** Which secrets `bytes` contains, in which form. */
export function findSecrets(bytes: Buffer, secrets: Secret[]): { secret: string; form: string }[] {
  const found: { secret: string; form: string }[] = [];
  for (const secret of secrets) {
    for (const { form, bytes: needle } of secretForms(secret.value)) {
      if (bytes.includes(needle)) found.push({ secret: secret.name, form });
    }
  }
  return found;
}

/** Searches every regular file under `dir` (symlinks are not followed). `skip` takes paths relative to `dir`. */
export async function scanTree(dir: string, secrets: Secret[], skip: (relativePath: string) => boolean = () => false): Promise<ScanReport> {
  const report: ScanReport = { files: 0, bytes: 0, hits: [] };
  const seen = new Set<string>(); // hard links: one file, read once
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path);
      if (skip(rel)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const { dev, ino } = await lstat(path);
        if (seen.has(`${dev}:${ino}`)) continue;
        seen.add(`${dev}:${ino}`);
        const bytes = await readFile(path);
        report.files++;
        report.bytes += bytes.length;
        for (const hit of findSecrets(bytes, secrets)) report.hits.push({ file: rel, ...hit });
      }
    }
  };
  await walk(dir);
  return report;
}
