/**
 * The report as OpenMetrics text (src/render/openmetrics.ts), read line by line. (That promtool
 * and a real Pushgateway accept it: test/report/openmetrics.test.ts.)
 */
import assert from 'node:assert/strict';
import { escapeLabelValue, renderOpenMetrics } from '../../src/render/openmetrics.js';
import { APP_BUDGET, APP_LAYERS, APP_SIZE, BASE_SIZE, reportResult } from './report-fixture.js';

describe('OpenMetrics exposition', function () {
  it('one sample per sized image and family, exact bytes, ending with # EOF', function () {
    const text = renderOpenMetrics(reportResult());
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.at(-1), '# EOF');
    const samples = (name: string) => lines.filter((l) => l.startsWith(`${name}{`)).map((l) => Number(l.split(' ').at(-1)));
    assert.deepEqual(samples('regsize_image_compressed_bytes'), [APP_SIZE, BASE_SIZE]);
    assert.deepEqual(samples('regsize_image_budget_bytes'), [APP_BUDGET], 'only the image with a budget');
    assert.deepEqual(samples('regsize_image_layers')[0], APP_LAYERS.length);
    assert.ok(!text.includes('broken:1'), 'a failed image has no sample');
    for (const l of lines) if (l.startsWith('# TYPE ')) assert.match(l, / gauge$/);
  });

  it('escapes backslash, double quote and line feed in label values', function () {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  });
});
