/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn, prints one table (figure, value, target,
 * peer or floor, ratio) and writes it to bench/results/latest.json with the date and machine.
 * Benchmarks report; they never fail the test suite.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Benchmark, Figure } from './figure';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
const rows: (Figure & { bench: string })[] = [];
const started = Date.now();

for (const file of files) {
  process.stderr.write(`running ${file}…\n`);
  const t0 = Date.now();
  try {
    const run = (await import(pathToFileURL(join(dir, file)).href)).default as Benchmark;
    for (const figure of await run()) rows.push({ ...figure, bench: file.replace('.bench.ts', '') });
  } catch (error) {
    rows.push({ bench: file.replace('.bench.ts', ''), name: 'benchmark failed to run', value: NaN, unit: 'count', note: String(error) });
  }
  process.stderr.write(`  ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

const fmt = (n: number) => (Number.isNaN(n) ? '—' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const table = rows.map((r) => ({
  figure: `${r.bench}: ${r.name}`,
  value: `${fmt(r.value)} ${r.unit}`,
  target: r.target ?? '',
  peer: r.peer ? `${r.peer.name} ${fmt(r.peer.value)} ${r.unit}` : '',
  ratio: r.peer && r.peer.value ? `${fmt(r.value / r.peer.value)}×` : '',
  ok: r.meetsTarget === undefined ? '' : r.meetsTarget ? 'yes' : 'MISS',
}));
const headers = ['figure', 'value', 'target', 'peer', 'ratio', 'ok'] as const;
const widths = headers.map((h) => Math.max(h.length, ...table.map((row) => row[h].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line([...headers]));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(headers.map((h) => row[h])));

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
await mkdir(join(dir, 'results'), { recursive: true });
// A partial run (`npm run bench -- frames`) replaces only its own benchmarks' figures.
const latest = join(dir, 'results', 'latest.json');
const ran = new Set(files.map((f) => f.replace('.bench.ts', '')));
const previous = JSON.parse(await readFile(latest, 'utf8').catch(() => '{"figures":[]}')) as { figures?: typeof rows };
const kept = only.length ? (previous.figures ?? []).filter((f) => !ran.has(f.bench)) : [];
const figures = [...kept, ...rows].sort((a, b) => a.bench.localeCompare(b.bench));
const record = { date: new Date().toISOString(), machine, seconds: (Date.now() - started) / 1000, partial: only.length > 0, figures };
await writeFile(latest, JSON.stringify(record, null, 2) + '\n');
console.log(
  `\n${rows.length} figures in ${((Date.now() - started) / 1000).toFixed(1)} s on ${machine}; written to bench/results/latest.json`,
);
