/**
 * The jobs index. `record` holds the whole job exactly as its job.json does; the other columns are
 * copies of the fields the gallery filters and sorts on.
 *
 * `seq` is the job's creation time in milliseconds × 1000 (+ a tie-breaker), so the search index
 * (whose rowid is `seq`) returns matches already in date order and takes date filters as rowid
 * ranges. Without search words, lists walk the narrow `(…, created_at, seq)` indexes, which also
 * makes deep offsets cheap.
 *
 * `dirty = 1` means the job's folder may not match this row yet (the row is right); opening the
 * library finishes such jobs (reconcile.ts).
 */
export default `
CREATE TABLE jobs (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  created_at     INTEGER NOT NULL,
  status         TEXT NOT NULL,
  prompt         TEXT NOT NULL,
  duration       INTEGER NOT NULL,
  favourite      INTEGER NOT NULL DEFAULT 0,
  request_id     TEXT,
  queue_position INTEGER,
  error          TEXT,
  video          TEXT,
  poster         TEXT,
  start_frame    TEXT,
  downloading    INTEGER NOT NULL DEFAULT 0,
  revision       INTEGER NOT NULL,
  dirty          INTEGER NOT NULL DEFAULT 0,
  record         TEXT NOT NULL
);
CREATE INDEX jobs_by_created ON jobs (created_at, seq);
CREATE INDEX jobs_by_status ON jobs (status, created_at, seq);
CREATE INDEX jobs_by_duration ON jobs (duration, created_at, seq);
CREATE INDEX jobs_favourites ON jobs (created_at, seq) WHERE favourite = 1;
CREATE INDEX jobs_by_prompt ON jobs (prompt COLLATE NOCASE, seq);
CREATE INDEX jobs_by_request ON jobs (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX jobs_dirty ON jobs (seq) WHERE dirty = 1;
`;
