/**
 * The HTML report's stylesheet and script, inlined by scripts/build-html-assets.mjs into the
 * committed src/render/report-html/assets.ts: it must be what the sources say today, and a
 * script the browser can parse. (That the page sorts its tables in a real browser:
 * test/report/html.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPORT_CSS, SORT_TABLE_JS } from '../../../src/render/report-html/assets.js';

const root = new URL('../../../../', import.meta.url);

describe('HTML report assets', function () {
  it('are the sources as they are now (run `npm run build` after editing them)', async function () {
    assert.equal(REPORT_CSS, readFileSync(new URL('src/render/report-html/report.css', root), 'utf8'));
    assert.equal(SORT_TABLE_JS, readFileSync(new URL('src/render/report-html/sort-table.js', root), 'utf8'));
    const { generate } = (await import(new URL('scripts/build-html-assets.mjs', root).href)) as { generate: () => string };
    assert.equal(readFileSync(new URL('src/render/report-html/assets.ts', root), 'utf8'), generate(), 'assets.ts is stale');
  });

  it('hold a script that parses and nothing that ends its element early', function () {
    // Parsed, not run: a syntax error here would leave every report unsortable.
    assert.doesNotThrow(() => new Function(SORT_TABLE_JS));
    assert.doesNotMatch(SORT_TABLE_JS, /<\/script/i);
    assert.doesNotMatch(REPORT_CSS, /<\/style/i);
    assert.match(REPORT_CSS, /table\.sortable|th\[aria-sort=ascending\]/);
  });
});
