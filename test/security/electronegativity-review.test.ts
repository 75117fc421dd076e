import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithReviews, parseFindings } from './electronegativity-review';
import type { Review } from './electronegativity-review';

// As electronegativity 1.10.3 writes it (`-o findings.csv`).
const csv = `issue, severity, confidence, filename, location, sample, description, url
OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","main/shell/platform.ts","17:12","await shell.openExternal(url);","Review the use of openExternal",https://github.com/doyensec/electronegativity/wiki/OPEN_EXTERNAL_JS_CHECK
CSP_GLOBAL_CHECK,"LOW","FIRM","renderer/index.html","5:0","default-src 'none'; script-src 'self', ""quoted""","One or more CSP directives detected seems to be vulnerable",https://github.com/doyensec/electronegativity/wiki/CSP_GLOBAL_CHECK
NODE_INTEGRATION_JS_CHECK,"INFORMATIONAL","FIRM","main/index.ts","40:6","nodeIntegration: true,","Disable nodeIntegration for untrusted origins",https://github.com/doyensec/electronegativity/wiki/NODE_INTEGRATION_JS_CHECK
`;

describe('electronegativity review', () => {
  it('reads the CSV report, quotes and commas inside fields included', () => {
    const findings = parseFindings(csv);
    expect(findings).toHaveLength(3);
    expect(findings[1]).toMatchObject({
      id: 'CSP_GLOBAL_CHECK',
      file: 'renderer/index.html',
      sample: `default-src 'none'; script-src 'self', "quoted"`,
    });
  });

  it('passes a finding only when a review names its check, file and code', () => {
    const findings = parseFindings(csv);
    const reviews: Review[] = [
      { id: 'OPEN_EXTERNAL_JS_CHECK', file: 'main/shell/platform.ts', sample: 'shell.openExternal(url)', why: 'allow-listed' },
      { id: 'CSP_GLOBAL_CHECK', file: 'renderer/index.html', why: 'reviewed' },
      // The right check and file, but other code: does not cover the new line.
      { id: 'NODE_INTEGRATION_JS_CHECK', file: 'main/index.ts', sample: 'nodeIntegration: false', why: '' },
      { id: 'SANDBOX_JS_CHECK', file: 'main/index.ts', why: 'gone' },
    ];
    const { unreviewed, stale } = compareWithReviews(findings, reviews);
    expect(unreviewed.map((finding) => finding.id)).toEqual(['NODE_INTEGRATION_JS_CHECK']);
    expect(stale.map((review) => review.id)).toEqual(['NODE_INTEGRATION_JS_CHECK', 'SANDBOX_JS_CHECK']);
  });

  it('refuses anything that is not the report', () => {
    expect(() => parseFindings('hello,world\n')).toThrow(/not an electronegativity CSV report/);
    // The header written over the first row, as the tool's unordered writes once left it in CI.
    const overwritten = csv.replace(/^(.*\n)(.{75})/, '$1');
    expect(() => parseFindings(overwritten)).toThrow(/garbled/);
  });

  it('has a reason written for every reviewed finding', () => {
    const reviews = JSON.parse(readFileSync(join(import.meta.dirname, 'electronegativity-reviewed.json'), 'utf8')) as Review[];
    expect(reviews.length).toBeGreaterThan(0);
    for (const review of reviews) {
      expect(review.id).toMatch(/^[A-Z_]+_CHECK$/);
      expect(review.why.length, review.id).toBeGreaterThan(60);
    }
  });
});
