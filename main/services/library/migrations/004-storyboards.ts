/**
 * Storyboards (storyboard/): one row per board, its whole `storyboard.json` in `record` (the
 * folder is the truth the row is rebuilt from; `dirty` as for jobs), and each job's storyboard,
 * read from the tag its record carries, so a board's takes are found by the index alone.
 */
export default `
ALTER TABLE jobs ADD COLUMN storyboard TEXT GENERATED ALWAYS AS (json_extract(record, '$.tag.storyboard')) VIRTUAL;
CREATE INDEX jobs_by_storyboard ON jobs (storyboard, created_at, seq) WHERE storyboard IS NOT NULL;
CREATE TABLE storyboards (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  dirty      INTEGER NOT NULL DEFAULT 0,
  record     TEXT NOT NULL
);
`;
