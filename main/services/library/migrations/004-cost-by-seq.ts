/**
 * The spend of a search: the search index gives the matching rows' keys, and each one's cost was
 * read from its row in `jobs`, whose rows carry the whole record (about a kilobyte each), so a
 * one-letter search at 100,000 jobs visited tens of thousands of scattered table pages (about half a
 * second). This narrow index by key holds the cost beside it; the sum reads it alone.
 */
export default `
CREATE INDEX jobs_cost_by_seq ON jobs (seq, cost_usd) WHERE cost_usd IS NOT NULL;
`;
