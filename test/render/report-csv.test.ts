/** The report as CSV (src/render/report-csv.ts): one row per entry, exact bytes, CRLF, every field in every row. */
import assert from 'node:assert/strict';
import { renderReportCsv } from '../../src/render/report-csv.js';
import { APP_BUDGET, APP_GROWTH, APP_LAYERS, APP_SIZE, BASE_SIZE, reportResult } from './report-fixture.js';

describe('report CSV', function () {
  it('writes exact bytes, budgets and deltas, and the error of a failed entry, in rows of equal width', function () {
    const text = renderReportCsv(reportResult());
    assert.ok(text.endsWith('\r\n'));
    const [header, ...rows] = text.trimEnd().split('\r\n').map((l) => l.split(','));
    assert.ok(header);
    assert.equal(rows.length, 3);
    for (const row of rows) assert.equal(row.length, header.length);
    const col = (row: string[] | undefined, name: string) => row?.[header.indexOf(name)];
    const [app, base, broken] = rows;
    assert.equal(col(app, 'compressed_size'), String(APP_SIZE));
    assert.equal(col(app, 'layers'), String(APP_LAYERS.length));
    assert.equal(col(app, 'budget_headroom'), String(APP_BUDGET - APP_SIZE));
    assert.equal(col(app, 'previous_size'), String(APP_SIZE - APP_GROWTH));
    assert.equal(col(app, 'delta_previous_bytes'), String(APP_GROWTH));
    assert.equal(col(app, 'rebuilt'), 'true');
    assert.equal(col(base, 'compressed_size'), String(BASE_SIZE));
    assert.equal(col(base, 'max_size'), '', 'no budget: an empty cell, not 0');
    assert.equal(col(broken, 'error_code'), 'NAME_UNKNOWN');
    assert.equal(col(broken, 'compressed_size'), '');
  });
});
