/**
 * `npm run frames -- check [--fast] FILE|FOLDER…`: the app's own inspector and validator, headless.
 * Prints one JSON line per file and exits 0 only if every file passes. `--fast` skips the full
 * decode (integrity) and checks headers only.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { offerFixes } from '../services/frames/fix';
import { FrameInputError, inspectFile } from '../services/frames/inspect';
import { checkIntegrity } from '../services/frames/integrity';
import { allPass, validate } from '../services/frames/validate';
import { imageEngine } from '../services/image-engine';
import type { ImageEngine } from '../services/image-engine';

const usage = `Usage: npm run frames -- check [--fast] FILE|FOLDER…

Checks each image against the model's rules (type, size, width, height, aspect ratio) and prints
one JSON line per file. Folders are checked one level deep. Exit code 0 only if every file passes.
Each line names the image engine that checked it (image_engine: wasm or native; on Linux wasm
unless KEYFRAME_IMAGE_ENGINE=native).
  --fast   read headers only; skip the full decode that catches truncated or corrupt files`;

export interface CheckLine {
  path: string;
  ok: boolean;
  image_engine: ImageEngine;
  format?: string;
  width?: number;
  height?: number;
  bytes?: number;
  ratio?: number;
  integrity?: 'ok' | 'corrupt' | 'skipped';
  checks?: { rule: string; pass: boolean; actual: string; detail: string; message: string }[];
  fixes?: string[];
  error?: string;
}

export async function checkOne(path: string, options: { fast: boolean }): Promise<CheckLine> {
  try {
    const inspection = await inspectFile(path);
    const checks = validate(inspection);
    const problem = options.fast ? undefined : await checkIntegrity(path, inspection);
    return {
      path,
      ok: allPass(checks) && !problem,
      image_engine: imageEngine,
      format: inspection.format,
      width: inspection.width,
      height: inspection.height,
      bytes: inspection.bytes,
      ratio: Math.round((inspection.width / inspection.height) * 10_000) / 10_000,
      integrity: options.fast ? 'skipped' : problem ? 'corrupt' : 'ok',
      checks: checks.map(({ rule, pass, actual, detail, message }) => ({ rule, pass, actual, detail, message })),
      fixes: offerFixes(inspection, checks).map((fix) => fix.kind),
      ...(problem ? { error: problem } : {}),
    };
  } catch (error) {
    const message = error instanceof FrameInputError ? error.message : `Unexpected error: ${(error as Error).message}`;
    return { path, ok: false, image_engine: imageEngine, error: message };
  }
}

async function expand(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
      for (const name of names) if ((await stat(join(path, name)).catch(() => undefined))?.isFile()) files.push(join(path, name));
    } else {
      files.push(path); // a missing file is reported on its own line
    }
  }
  return files;
}

export async function main(argv: string[], out: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  const fast = rest.includes('--fast');
  const paths = rest.filter((arg) => arg !== '--fast');
  if (command !== 'check' || paths.length === 0) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  let allOk = true;
  for (const path of await expand(paths)) {
    const line = await checkOne(path, { fast });
    allOk &&= line.ok;
    out(JSON.stringify(line));
  }
  return allOk ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv.slice(2));
}
