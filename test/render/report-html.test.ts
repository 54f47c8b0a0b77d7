/**
 * The report as one HTML page (src/render/report-html.ts), read as text: self-contained, its
 * own style and sorter inlined, every figure there. (In a real browser: test/report/html.test.ts.)
 */
import assert from 'node:assert/strict';
import { REPORT_CSS, SORT_TABLE_JS } from '../../src/render/report-html/assets.js';
import { renderReportHtml } from '../../src/render/report-html.js';
import { formatBytes } from '../../src/units.js';
import { APP_SIZE, BASE_SIZE, reportResult } from './report-fixture.js';

describe('report HTML', function () {
  it('is one page carrying its own style and script, fetching nothing', function () {
    const html = renderReportHtml(reportResult(), 'si');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(html.includes(`<style>\n${REPORT_CSS}</style>`));
    assert.ok(html.includes(`<script>\n${SORT_TABLE_JS}</script>`));
    assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//);
  });

  it('shows each size, sortable by its exact bytes, and the failed entry', function () {
    const html = renderReportHtml(reportResult(), 'si');
    assert.ok(html.includes(`data-sort="${APP_SIZE}"`));
    assert.ok(html.includes(`data-sort="${BASE_SIZE}"`));
    assert.ok(html.includes(formatBytes(APP_SIZE, 'si')));
    assert.match(html, /NAME_UNKNOWN/);
    assert.match(html, /<table class="sortable">/);
  });
});
