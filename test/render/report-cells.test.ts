/** Texts the report renderers share (src/render/report-cells.ts). */
import assert from 'node:assert/strict';
import { budgetText, dateTimeText, deltaText, dollars, marksOf, repositoryText, summaryParts } from '../../src/render/report-cells.js';
import type { ReportImage } from '../../src/report/model.js';
import { formatBytes } from '../../src/units.js';
import { APP_BUDGET, APP_SIZE, BASE_SIZE, reportResult } from './report-fixture.js';

describe('report cells', function () {
  const r = reportResult();
  const app = r.images[0] as ReportImage;
  const base = r.images[1] as ReportImage;

  it('writes deltas, budgets and dates the same way for markdown and HTML', function () {
    assert.equal(deltaText(null, 'si'), '');
    assert.match(deltaText(app.history?.previous, 'si'), /^\+5 MB \(\+1\d(\.\d)?%\)$/);
    assert.equal(budgetText(app, 'si'), `${formatBytes(APP_BUDGET, 'si')} (${Math.round((APP_SIZE / APP_BUDGET) * 100)}%)`);
    assert.equal(budgetText(base, 'si'), '');
    assert.equal(dateTimeText('2025-11-29T16:40:12.000Z'), '2025-11-29 16:40 UTC');
    assert.equal(dollars(null), '');
    assert.equal(dollars(0.5), '$0.50');
  });

  it('names an ECR repository by its URI when the account is known', function () {
    assert.equal(repositoryText({ registryId: '123456789012', region: 'eu-west-1', repositoryName: 'team/app' }), '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app');
    assert.equal(repositoryText({ registryId: null, region: 'eu-west-1', repositoryName: 'team/app' }), 'team/app');
  });

  it('marks an image by what happened to it, most serious first', function () {
    assert.deepEqual(marksOf(app, true), ['over', 'growth', 'rebuilt']);
    assert.deepEqual(marksOf(base, false), []);
    const { headline, counts } = summaryParts(r, 'si');
    assert.equal(headline, `2 images, ${formatBytes(APP_SIZE + BASE_SIZE, 'si')} in all`);
    assert.deepEqual(counts.map((c) => [c.mark, c.count]), [['over', 1], ['growth', 1], ['rebuilt', 1], ['failed', 1]]);
  });
});
