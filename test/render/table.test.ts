/** Tables that fit the terminal: long names and steps shortened in the middle; whole in a pipe or with --wide. */
import assert from 'node:assert/strict';
import { tableWidth } from '../../src/cli/terminal-width.js';
import { renderCompare } from '../../src/render/compare.js';
import { clipMiddle, renderTable } from '../../src/render/table.js';
import { parseBandwidthList } from '../../src/units.js';
import type { CompareResult } from '../../src/sizing/compare.js';

const longName = `registry.example.com/${'team/'.repeat(8)}application-with-a-long-name:2024.12.01-build.1234`;

function image(reference: string, size: number): CompareResult['images'][number] {
  return { reference, name: reference, digest: `sha256:${'a'.repeat(64)}`, platform: 'linux/amd64', manifestDigest: `sha256:${'a'.repeat(64)}`, compressedSize: size, layers: [{ digest: `sha256:${'b'.repeat(64)}`, size, mediaType: 'x' }] };
}

describe('tables that fit the terminal', () => {
  it('shortens in the middle, keeping both ends', () => {
    assert.equal(clipMiddle('abcdefghij', 5), 'ab…ij');
    assert.equal(clipMiddle('abcdefghij', 10), 'abcdefghij');
    assert.equal(clipMiddle('abcdefghij', 6), 'abc…ij');
  });

  it('a table wider than the terminal shrinks its long columns to fit, and no line is longer', () => {
    const columns = [{ header: 'IMAGE', shrink: true }, { header: 'SIZE', align: 'right' as const }, { header: 'STEP', shrink: true }];
    const rows = [[longName, '45.5 MB', `RUN ${'apt-get install -y something && '.repeat(5)}true`]];
    for (const width of [60, 80, 100]) {
      const out = renderTable(columns, rows, 'plain', { width });
      for (const line of out.trimEnd().split('\n')) assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
      assert.match(out, /^registry\S*…\S*1234 /m); // both ends of the name kept
      assert.match(out, /45\.5 MB/); // figures are never cut
    }
    // No width (a pipe, --wide): every cell whole.
    const whole = renderTable(columns, rows, 'plain');
    assert.ok(whole.includes(longName) && whole.includes('true'));
  });

  it('compare: the IMAGE column ends with the tag when shortened, and a pipe gets the whole name', () => {
    const result: CompareResult = { images: [image(longName, 45_500_000), image('python:3.12-slim', 41_000_000)] };
    const o = { units: 'si' as const, bandwidths: parseBandwidthList('5Mbps,1Gbps'), style: 'plain' as const };
    const fitted = renderCompare(result, { ...o, width: 80 });
    const table = fitted.split('\n\n')[0] as string;
    for (const line of table.split('\n')) assert.ok(line.length <= 80, line);
    assert.match(table, /^registry\S*…\S*1234 +linux\/amd64/m);
    assert.ok(renderCompare(result, o).includes(longName));
  });

  it('the shared-layer list stays readable with 10 images: a layer in every image says so once', () => {
    const refs = Array.from({ length: 10 }, (_, i) => `registry.example.com/team/service-${i}:1.0.${i}`);
    const result: CompareResult = { images: refs.map((r, i) => image(r, 1_000_000 + i)) };
    const out = renderCompare(result, { units: 'si', bandwidths: parseBandwidthList('5Mbps'), style: 'plain' });
    const shared = out.split('\n').filter((l) => l.startsWith('  sha256:'));
    assert.equal(shared.length, 1);
    assert.match(shared[0] as string, /in all 10 images$/);
    assert.ok((shared[0] as string).length < 80, shared[0]);
  });

  it('the width is the terminal\'s, unless --wide or stdout is not a terminal', () => {
    assert.equal(tableWidth(false, { isTTY: true, columns: 90 }), 90);
    assert.equal(tableWidth(true, { isTTY: true, columns: 90 }), undefined);
    assert.equal(tableWidth(false, { isTTY: false, columns: 90 }), undefined);
    assert.equal(tableWidth(false, {}), undefined);
  });
});
