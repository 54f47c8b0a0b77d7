/**
 * Local images in the report config (issue #14): `images:` entries with `oci:` and
 * `docker-archive:` refs, made by skopeo (real tool output) from the test registry, reported
 * by `regsize report` in-process beside the registry image. The OCI layout's size is the
 * registry image's exactly; the docker-archive's is marked estimated and within 5% of what
 * `gzip -6` makes of the archive's layer tars; a budget applies to a local image as to any.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Report from '../../commands/report/index.js';
import { runInProcess } from '../commands/run-in-process.js';
import { makeImage, makeLayer, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { copyFromRegistry } from '../source/skopeo-local.js';

interface Entry {
  reference: string;
  compressedSize: number;
  compressedSizeEstimated?: boolean;
  budget: { maxSize: number; over: boolean } | null;
  error?: unknown;
}

describe('report: local images in the config', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let dir: string;
  const layers = [
    makeRandomLayer({ format: 'docker', size: 150_000, seed: 'rep-local-os' }),
    makeLayer({ format: 'docker', files: [{ name: 'app/' }, { name: 'app/app.js', content: 'const x = require("y");\n'.repeat(9000) }], compression: 'gzip', createdBy: 'COPY . /app' }),
  ];
  const img = makeImage({ layers, format: 'docker' });
  const pushed = layers.reduce((s, l) => s + l.size, 0);

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'regsize-report-local-'));
    await pushImage(reg, 'team/app', '1', img);
    await copyFromRegistry(reg, 'team/app:1', `oci:${join(dir, 'layout')}:v1`);
    await copyFromRegistry(reg, 'team/app:1', `docker-archive:${join(dir, 'app.tar')}:team/app:1`);
  });
  after(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sizes oci: exactly and docker-archive: as an estimate beside the registry image, with budgets', async () => {
    // A budget between the pushed size and twice it: the archive's estimate is near the pushed size.
    const cfg = join(dir, 'regsize.yaml');
    writeFileSync(
      cfg,
      `platform: linux/amd64
images:
  - ${reg.host}/team/app:1
  - ref: oci:${join(dir, 'layout')}:v1
    maxSize: ${pushed - 1}
  - ref: docker-archive:${join(dir, 'app.tar')}
    maxSize: ${pushed * 2}
`,
    );
    const r = await runInProcess(Report, ['--config', cfg, '--format', 'json', '--no-history']);
    assert.equal(r.exitCode, 3, r.stderr);
    const out = JSON.parse(r.stdout) as { images: Entry[] };
    const [remote, layout, archive] = out.images as [Entry, Entry, Entry];
    assert.equal(remote.compressedSize, pushed);
    assert.equal(layout.compressedSize, pushed);
    assert.equal(layout.compressedSizeEstimated, undefined);
    assert.deepEqual(layout.budget && [layout.budget.maxSize, layout.budget.over], [pushed - 1, true]);
    assert.equal(archive.compressedSizeEstimated, true);
    const gzip = layers.reduce((s, l) => s + execFileSync('gzip', ['-6', '-c', '-n'], { input: l.tar }).length, 0);
    assert.ok(Math.abs(archive.compressedSize - gzip) / gzip <= 0.05, `estimate ${archive.compressedSize}, gzip -6 ${gzip}`);
    assert.equal(archive.budget?.over, false);
  });
});
