/**
 * Compares electronegativity's findings with the reviewed list (electronegativity-reviewed.json):
 * a finding passes only when a review names its check, its file and the code it points at.
 */
export interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
  sample: string;
  description: string;
}

export interface Review {
  id: string;
  file: string;
  /** Text the flagged code line contains (the review is for that code, not any code in the file). */
  sample?: string;
  why: string;
}

/** Parses the tool's CSV (quoted fields, "" for a quote inside). */
export function parseFindings(csv: string): Finding[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const char = csv[i];
    if (quoted) {
      if (char === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && csv[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((cell) => cell.trim())) rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  row.push(field);
  if (row.some((cell) => cell.trim())) rows.push(row);
  const [header, ...body] = rows;
  if (!header || header[0].trim() !== 'issue') throw new Error('not an electronegativity CSV report');
  const garbled = body.find(([id]) => !/^[A-Z_]+_CHECK$/.test(id.trim()));
  if (garbled) throw new Error(`electronegativity's CSV report is garbled at: ${garbled.join(',').slice(0, 120)}`);
  return body.map(([id, severity, confidence, file, location, sample, description]) => ({
    id: id.trim(),
    severity,
    confidence,
    file,
    location,
    sample: (sample ?? '').trim(),
    description: description ?? '',
  }));
}

const covers = (review: Review, finding: Finding) =>
  review.id === finding.id && review.file === finding.file && (review.sample === undefined || finding.sample.includes(review.sample));

export function compareWithReviews(findings: Finding[], reviews: Review[]): { unreviewed: Finding[]; stale: Review[] } {
  return {
    unreviewed: findings.filter((finding) => !reviews.some((review) => covers(review, finding))),
    stale: reviews.filter((review) => !findings.some((finding) => covers(review, finding))),
  };
}
