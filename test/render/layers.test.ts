/** The layers table's cells (src/render/layers.ts): steps as Dockerfile lines, digests as docker shows them. */
import assert from 'node:assert/strict';
import { MARKDOWN_STEP_WIDTH, shortDigest, shortStep, stepCell, uncompressedCell } from '../../src/render/layers.js';
import { formatBytes } from '../../src/units.js';

describe('layers cells', function () {
  it('reads created_by as the Dockerfile line it came from, classic builder and BuildKit alike', function () {
    assert.equal(shortStep('/bin/sh -c #(nop)  CMD ["python3"]'), 'CMD ["python3"]');
    assert.equal(shortStep('/bin/sh -c apt-get update &&     apt-get install -y curl'), 'RUN apt-get update && apt-get install -y curl');
    assert.equal(shortStep('RUN /bin/sh -c pip install x # buildkit'), 'RUN pip install x');
    assert.equal(shortStep('COPY app /app # buildkit'), 'COPY app /app');
    assert.equal(shortStep(null), '(step unknown)');
    assert.equal(shortStep('   '), '(empty step)');
  });

  it('clips a long step in markdown only, before escaping', function () {
    const step = `RUN ${'x'.repeat(500)}`;
    assert.equal(stepCell(`/bin/sh -c ${'x'.repeat(500)}`, 'plain'), step);
    const md = stepCell(`/bin/sh -c ${'x'.repeat(500)}`, 'markdown');
    assert.ok(md.includes('…') && md.length < MARKDOWN_STEP_WIDTH + 20);
  });

  it('short digests and uncompressed cells', function () {
    assert.equal(shortDigest(`sha256:${'ab12'.repeat(16)}`), 'ab12ab12ab12');
    assert.equal(uncompressedCell(1_500_000, undefined, 'si'), formatBytes(1_500_000, 'si'));
    assert.equal(uncompressedCell(null, 'uncertain: zstd frame without content size', 'si'), 'uncertain');
    assert.equal(uncompressedCell(undefined, 'layer not read', 'si'), 'unknown');
  });
});
