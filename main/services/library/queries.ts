/**
 * The gallery's questions to the index: one page of jobs matching a query, and how many match.
 *
 * Without search words the `jobs` table answers through its indexes. With search words the
 * full-text index answers alone: the words, and the filters as `tags` words, in one MATCH, the
 * date range as a range of its rowids (which are creation times), in date order as it stores them.
 */
import type { JobStatus, LibraryQueryParsed, StatusFilter } from '../../contract/library';
import type { Spend } from '../../contract/price';
import { statement } from './database';
import type { Db } from './database';
import type { JobTag } from './manifest';
import { KEYS_PER_MS } from './rows';

/** A take's board and shot, as a job's tag names them. */
export type TakeRef = Pick<JobTag, 'storyboard' | 'shot'>;

export interface SummaryRow {
  id: string;
  created_at: number;
  status: JobStatus;
  prompt: string;
  duration: 5 | 10;
  favourite: 0 | 1;
  video: string | null;
  poster: string | null;
  start_frame: string | null;
  downloading: 0 | 1;
  error: string | null;
  cost_usd: number | null;
}

export const EXCERPT_CHARS = 240;

const statusSets: Record<Exclude<StatusFilter, 'all'>, JobStatus[]> = {
  completed: ['completed'],
  active: ['submitting', 'submit_unknown', 'queued', 'running'],
  failed: ['failed'],
  cancelled: ['cancelled'],
  expired: ['expired'],
};

/**
 * The words the user typed, as an FTS5 expression: every word must appear, each as a prefix, so
 * results narrow while they type ("red fo" finds "red fox"). Each word is quoted, so FTS syntax
 * (quotes, NEAR, *, -, OR) is searched for as text, never interpreted.
 */
export function searchWords(text: string): string | undefined {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return undefined;
  return words
    .slice(0, 16)
    .map((word) => `"${word}"*`)
    .join(' ');
}

/** The `tags` words of migration 002 for the query's filters. */
function tagFilters(query: LibraryQueryParsed): string[] {
  const tags: string[] = [];
  if (query.status !== 'all') tags.push(`tags : (${statusSets[query.status].map((s) => `s${s.replace('_', '')}`).join(' OR ')})`);
  if (query.duration !== 'any') tags.push(`tags : d${query.duration}`);
  if (query.favourites) tags.push('tags : f1');
  return tags;
}

/** The date filters as a range on `column`, in milliseconds times `scale`. */
function range(query: LibraryQueryParsed, column: string, scale: number): { clauses: string[]; params: number[] } {
  const clauses: string[] = [];
  const params: number[] = [];
  if (query.from) {
    clauses.push(`${column} >= ?`);
    params.push(Date.parse(query.from) * scale);
  }
  if (query.to) {
    clauses.push(`${column} < ?`);
    params.push(Date.parse(query.to) * scale);
  }
  return { clauses, params };
}

const COLUMNS = `j.id, j.created_at, j.status, substr(j.prompt, 1, ${EXCERPT_CHARS}) AS prompt, j.duration, j.favourite, j.video, j.poster,
  j.start_frame, j.downloading, j.error, j.cost_usd`;

/** The cost filter, on the jobs row `j` (the search index knows no amounts). */
function costFilter(query: LibraryQueryParsed): { clauses: string[]; params: number[] } {
  return query.minCostUsd === undefined ? { clauses: [], params: [] } : { clauses: ['j.cost_usd >= ?'], params: [query.minCostUsd] };
}

/** The words and filters as a WHERE on the search index `f` (joined to the jobs row `j` when a cost filter needs it). */
export function searchWhere(words: string, query: LibraryQueryParsed): { from: string; where: string; params: unknown[] } {
  const match = [`prompt : (${words})`, ...tagFilters(query)].join(' AND ');
  const dates = range(query, 'f.rowid', KEYS_PER_MS);
  const cost = costFilter(query);
  return {
    // The cost comes from the narrow key-and-cost index (migration 004), not from the wide rows.
    from: cost.clauses.length ? 'jobs_fts f JOIN jobs j INDEXED BY jobs_cost_by_seq ON j.seq = f.rowid' : 'jobs_fts f',
    where: ['f.jobs_fts MATCH ?', ...dates.clauses, ...cost.clauses].join(' AND '),
    params: [match, ...dates.params, ...cost.params],
  };
}

function searchPage(db: Db, words: string, query: LibraryQueryParsed): { total: number; rows: SummaryRow[] } {
  const { from, where, params } = searchWhere(words, query);
  const total = (statement(db, `SELECT count(*) AS n FROM ${from} WHERE ${where}`).get(...params) as { n: number }).n;
  if (total === 0 || query.offset >= total) return { total, rows: [] };
  const order = query.sort === 'prompt' ? 'j.prompt COLLATE NOCASE ASC, j.seq ASC' : `f.rowid ${query.sort === 'oldest' ? 'ASC' : 'DESC'}`;
  const rows = statement(
    db,
    `SELECT ${COLUMNS} FROM jobs_fts f JOIN jobs j ON j.seq = f.rowid WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
  ).all(...params, query.limit, query.offset) as SummaryRow[];
  return { total, rows };
}

/** The query's filters as a WHERE on the jobs table `j`. */
function filterWhere(query: LibraryQueryParsed): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.status !== 'all') {
    const set = statusSets[query.status];
    clauses.push(`j.status IN (${set.map(() => '?').join(', ')})`);
    params.push(...set);
  }
  if (query.duration !== 'any') {
    clauses.push('j.duration = ?');
    params.push(query.duration);
  }
  if (query.favourites) clauses.push('j.favourite = 1');
  const dates = range(query, 'j.created_at', 1);
  const cost = costFilter(query);
  clauses.push(...dates.clauses, ...cost.clauses);
  params.push(...dates.params, ...cost.params);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function filterPage(db: Db, query: LibraryQueryParsed): { total: number; rows: SummaryRow[] } {
  const { where, params } = filterWhere(query);
  const total = (statement(db, `SELECT count(*) AS n FROM jobs j ${where}`).get(...params) as { n: number }).n;
  if (total === 0 || query.offset >= total) return { total, rows: [] };
  const direction = query.sort === 'oldest' ? 'ASC' : 'DESC';
  const order = query.sort === 'prompt' ? 'j.prompt COLLATE NOCASE ASC, j.seq ASC' : `j.created_at ${direction}, j.seq ${direction}`;
  const rows = statement(db, `SELECT ${COLUMNS} FROM jobs j ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
    ...params,
    query.limit,
    query.offset,
  ) as SummaryRow[];
  return { total, rows };
}

/** Which of these jobs are a storyboard's takes: their board and shot, by job id. */
export function takeRefsOf(db: Db, ids: readonly string[]): Map<string, TakeRef> {
  if (ids.length === 0) return new Map();
  const rows = statement(
    db,
    `SELECT id, storyboard, json_extract(record, '$.tag.shot') AS shot FROM jobs
     WHERE id IN (SELECT value FROM json_each(?)) AND storyboard IS NOT NULL`,
  ).all(JSON.stringify(ids)) as { id: string; storyboard: string; shot: string }[];
  return new Map(rows.map((row) => [row.id, { storyboard: row.storyboard, shot: row.shot }]));
}

export function listRows(db: Db, query: LibraryQueryParsed): { total: number; rows: SummaryRow[] } {
  const words = searchWords(query.text);
  return words ? searchPage(db, words, query) : filterPage(db, query);
}

/**
 * What the jobs matching the query cost, by their reported costs (jobs without one add nothing).
 * Without words the cost index answers alone.
 */
export function spendOf(db: Db, query: LibraryQueryParsed): Spend {
  const words = searchWords(query.text);
  const costed = { ...query, minCostUsd: query.minCostUsd ?? 0 };
  // Without words, the cost index covers every filter (migration 003); the planner would rather take
  // the status index and visit each row.
  const { from, where, params } = words ? searchWhere(words, costed) : { from: 'jobs j INDEXED BY jobs_by_cost', ...filterWhere(costed) };
  const clause = words ? `WHERE ${where}` : where;
  const row = statement(db, `SELECT sum(j.cost_usd) AS usd, count(*) AS costed FROM ${from} ${clause}`).get(...params) as {
    usd: number | null;
    costed: number;
  };
  return { usd: row.usd ?? 0, costed: row.costed };
}
