/** The report as markdown (src/render/report-markdown.ts), what a pull-request comment or a wiki page shows. */
import assert from 'node:assert/strict';
import { renderReportMarkdown } from '../../src/render/report-markdown.js';
import { formatBytes } from '../../src/units.js';
import { APP_BUDGET, APP_SIZE, BASE_SIZE, reportResult } from './report-fixture.js';

describe('report markdown', function () {
  it('has a row per image with its size, marks the rebuilt one, and names the failure', function () {
    const md = renderReportMarkdown(reportResult(), 'si');
    const row = (ref: string) => md.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${ref}\``));
    assert.ok(row('app:1')?.includes(formatBytes(APP_SIZE, 'si')), md);
    assert.ok(row('alpine:3.20')?.includes(formatBytes(BASE_SIZE, 'si')), md);
    // Over its budget (by the fixture's own figures) and rebuilt: both marks, and the share of the budget used.
    assert.ok(APP_SIZE > APP_BUDGET);
    assert.ok(row('app:1')?.includes('🔴') && row('app:1')?.includes('🔁'), md);
    assert.ok(row('app:1')?.includes(`${formatBytes(APP_BUDGET, 'si')} (${Math.round((APP_SIZE / APP_BUDGET) * 100)}%)`), md);
    assert.ok(!row('alpine:3.20')?.includes('🔁'));
    assert.match(md, /broken:1/);
    assert.match(md, /repository broken not found/);
    assert.match(md, /^#+ Nightly images/m);
  });

  it('follows --units', function () {
    assert.ok(renderReportMarkdown(reportResult(), 'iec').includes(formatBytes(APP_SIZE, 'iec')));
  });
});
