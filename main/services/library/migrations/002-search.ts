/**
 * Full-text search over prompts (FTS5, external content: the index keeps no second copy of the
 * text), with prefix indexes so search-as-you-type stays fast.
 *
 * The index also holds each job's filter values as words in a `tags` column (`scompleted`, `d5`,
 * `f1`), so a search combined with filters is answered by the index alone, without visiting rows.
 * Existing jobs are indexed by 'rebuild'.
 */
export default `
ALTER TABLE jobs ADD COLUMN tags TEXT
  GENERATED ALWAYS AS ('s' || replace(status, '_', '') || ' d' || duration || ' f' || favourite) VIRTUAL;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
  prompt,
  tags,
  content = 'jobs',
  content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO jobs_fts (rowid, prompt, tags) VALUES (new.seq, new.prompt, new.tags);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, tags) VALUES ('delete', old.seq, old.prompt, old.tags);
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt, status, duration, favourite ON jobs
  WHEN old.prompt IS NOT new.prompt OR old.tags IS NOT new.tags BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, tags) VALUES ('delete', old.seq, old.prompt, old.tags);
  INSERT INTO jobs_fts (rowid, prompt, tags) VALUES (new.seq, new.prompt, new.tags);
END;
INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');
`;
