/**
 * What each job cost, as RunComfy reported it: `cost_usd` copies the record's `cost.usd` (the
 * record keeps the raw value too), so the gallery can filter by cost and add up the spend.
 *
 * The partial index holds only jobs with a cost, by creation time with the amount, so the spend
 * for a period is read from the index alone. Costs already in records are copied over.
 */
export default `
ALTER TABLE jobs ADD COLUMN cost_usd REAL;
UPDATE jobs SET cost_usd = json_extract(record, '$.cost.usd') WHERE json_extract(record, '$.cost.usd') IS NOT NULL;
CREATE INDEX jobs_by_cost ON jobs (created_at, seq, cost_usd) WHERE cost_usd IS NOT NULL;
`;
