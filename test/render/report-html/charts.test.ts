/** The HTML report's SVG charts (src/render/report-html/charts.ts). */
import assert from 'node:assert/strict';
import { barChart, niceTicks, shorten, trendChart, withoutHost } from '../../../src/render/report-html/charts.js';
import type { ReportImage } from '../../../src/report/model.js';
import { reportResult } from '../report-fixture.js';

describe('HTML report charts', function () {
  it('axis ticks are round, whole-byte steps from 0 covering the maximum', function () {
    for (const max of [1, 3, 7, 44_845_678, 3.2e9]) {
      const ticks = niceTicks(max);
      assert.equal(ticks[0], 0);
      assert.ok((ticks.at(-1) as number) >= max, `${max}: ${ticks.join(',')}`);
      const step = (ticks[1] as number) - (ticks[0] as number);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-9), `step ${step}`);
      assert.ok(ticks.length >= 2 && ticks.length <= 8, `${ticks.length} ticks for ${max}`);
      // Whole bytes, evenly spaced.
      ticks.forEach((t, i) => assert.equal(t, i * step));
    }
  });

  it('one bar per image, and a trend line through each recorded point', function () {
    const images = reportResult().images.slice(0, 2) as ReportImage[];
    const bars = barChart(images, 'si');
    assert.equal(bars.match(/<rect class="bar /g)?.length, images.length);
    const trend = trendChart(images[0] as ReportImage, 0, 'si');
    assert.match(trend, /<svg/);
    assert.equal(trend.match(/class="dot/g)?.length, images[0]?.history?.trend.length);
  });

  it('shortens long names in the middle, keeping both ends; drops the registry host for small cards', function () {
    const long = `registry.example.com/${'x'.repeat(60)}/app:1.2.3`;
    const s = shorten(long, 40);
    assert.equal(s.length, 40);
    assert.ok(s.startsWith('registry.') && s.endsWith('app:1.2.3') && s.includes('…'));
    assert.equal(shorten('short', 40), 'short');
    assert.equal(withoutHost('ghcr.io/org/app:1'), 'org/app:1');
    assert.equal(withoutHost('library/python:3'), 'library/python:3');
    assert.equal(withoutHost('localhost/app'), 'app');
  });
});
