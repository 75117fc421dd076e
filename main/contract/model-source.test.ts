/**
 * "The schema is the only source": the app's own source (main/ and renderer/, tests and their
 * helpers aside) never restates the model id or the list of accepted types; it reads them from
 * contract/model.ts, which reads them from the schema.
 *
 * test/ and bench/ are not scanned: they are not the app. The fake RunComfy server there plays the
 * other side of the wire and names the model on its own, so a wrong id in the app fails a test
 * instead of being copied into the fake.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptedFormats, extensionsOf, imageFormats, MODEL_ID } from './model';
import type { ImageFormat } from './model';

const root = join(import.meta.dirname, '..', '..');
const SOURCES = ['main', 'renderer'];
const THE_SOURCES = new Set(['main/contract/model.ts', 'main/model/kling-o1-image-to-video.schema.json']);

function isAppSource(path: string): boolean {
  if (!/\.(ts|js|mjs|svelte|html|json)$/.test(path) || /\.(test|spec)\.ts$/.test(path)) return false;
  return !path.split('/').includes('test') && !THE_SOURCES.has(path);
}

function appSources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : appSources(path);
    return isAppSource(path) ? [path] : [];
  });
}

const namesOf = (format: ImageFormat) => [...new Set([format, ...extensionsOf(format)])];
const formatByName = new Map(imageFormats.flatMap((format) => namesOf(format).map((name) => [name, format] as const)));
const FORMAT_WORD = new RegExp(`\\b(${[...formatByName.keys()].join('|')})\\b`, 'gi');
/** Names further apart than this (in characters) are not items of one list. */
const ITEM_GAP = 80;

/**
 * The lines where `text` names the accepted formats, all of them and no other image format, in
 * one run of names: a copy of the accepted types, whatever its shape (an array, a union type, a
 * map by format, a sentence). A table of every image format (names, extensions) is not one.
 */
export function typeListsIn(text: string): number[] {
  const words = [...text.matchAll(FORMAT_WORD)].map((match) => ({ at: match.index, format: formatByName.get(match[1].toLowerCase())! }));
  const runs: { at: number; formats: Set<ImageFormat> }[] = [];
  for (const [index, word] of words.entries()) {
    if (index === 0 || word.at - words[index - 1].at > ITEM_GAP) runs.push({ at: word.at, formats: new Set() });
    runs[runs.length - 1].formats.add(word.format);
  }
  const isAcceptedList = (formats: Set<ImageFormat>) =>
    formats.size === acceptedFormats.length && acceptedFormats.every((format) => formats.has(format));
  return runs.filter((run) => isAcceptedList(run.formats)).map((run) => text.slice(0, run.at).split('\n').length);
}

describe('every model fact has one source', () => {
  const files = SOURCES.flatMap(appSources);

  it('scans the app: main and the renderer, with the services, the screens and the contract', () => {
    expect(files).toEqual(expect.arrayContaining(['main/services/runcomfy/client.ts', 'main/services/library/store.ts']));
    expect(files.some((file) => file.endsWith('.svelte'))).toBe(true);
    expect(files.some((file) => file.includes('/test/') || file.endsWith('.test.ts'))).toBe(false);
  });

  it('the model id is written only in the schema (contract/model.ts reads it there)', () => {
    const restating = files.filter((file) => readFileSync(join(root, file), 'utf8').includes(MODEL_ID));
    expect(restating).toEqual([]);
  });

  it('the accepted types are listed only in the schema', () => {
    const restating = files.flatMap((file) => typeListsIn(readFileSync(join(root, file), 'utf8')).map((line) => `${file}:${line}`));
    expect(restating).toEqual([]);
  });

  it('a copy of the list is found in any of its shapes, and a table of every format is not one', () => {
    expect(typeListsIn("const types = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'avif'] as const;")).toEqual([1]);
    expect(typeListsIn("ext: 'png' | 'jpg' | 'jpeg' | 'webp' | 'gif' | 'avif';")).toEqual([1]);
    expect(
      typeListsIn(
        "// header\nconst mimes = {\n  jpeg: 'image/jpeg',\n  png: 'image/png',\n  webp: 'image/webp',\n  gif: 'image/gif',\n  avif: 'image/avif',\n};",
      ),
    ).toEqual([3]);
    expect(typeListsIn('<span>JPG, PNG, WebP, GIF or AVIF · over 300 px</span>')).toEqual([1]);
    expect(
      typeListsIn("const names = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', avif: 'AVIF', tiff: 'TIFF', bmp: 'BMP' };"),
    ).toEqual([]);
    expect(typeListsIn("type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif';")).toEqual([]);
  });
});
