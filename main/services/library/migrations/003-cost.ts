/**
 * What each job cost, as RunComfy reported it: `cost_usd` copies the record's `cost.usd` (the
 * record keeps the raw value too), so the gallery can filter by cost and add up the spend.
 *
 * The partial index holds only jobs with a cost, by creation time, with the amount and every
 * column the gallery filters on besides words, so the spend for a period (with any of those
 * filters) is read from the index alone. Costs already in records are copied over.
 */
export default `
ALTER TABLE jobs ADD COLUMN cost_usd REAL;
UPDATE jobs SET cost_usd = json_extract(record, '$.cost.usd') WHERE json_extract(record, '$.cost.usd') IS NOT NULL;
CREATE INDEX jobs_by_cost ON jobs (created_at, cost_usd, status, duration, favourite) WHERE cost_usd IS NOT NULL;
`;
