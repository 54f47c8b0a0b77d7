/**
 * Relative size gates end to end, in-process against a real registry (Debian's
 * docker-registry): `compare --max-increase`, `diff --max-increase`, and a report config's
 * `maxGrowth` against the previous recorded run. Expected figures come from the bytes pushed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import Diff from '../../commands/diff.js';
import Report from '../../commands/report/index.js';
import { formatBytes } from '../../src/units.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { type InProcessResult, runInProcess } from './run-in-process.js';

const size = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

/** The run's stderr is exactly one line, no stack trace; returns it. */
function oneLine(r: InProcessResult): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  return lines[0] as string;
}

describe('relative size gates (--max-increase, maxGrowth)', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let dir: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const os = makeRandomLayer({ size: 600_000, seed: 'gate-os' });
  const main = makeImage({ layers: [os, makeRandomLayer({ size: 200_000, seed: 'gate-app' })] });
  // The pull request's image: the same base and a bigger app layer.
  const pr = makeImage({ layers: [os, makeRandomLayer({ size: 300_000, seed: 'gate-app-pr' })] });
  let mainRef: string;
  let prRef: string;

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'regsize-gates-'));
    process.env.DOCKER_CONFIG = emptyDockerConfig();
    mainRef = `${reg.host}/team/app:main`;
    prRef = `${reg.host}/team/app:pr`;
    await pushImage(reg, 'team/app', 'main', main);
    await pushImage(reg, 'team/app', 'pr', pr);
  });
  after(async () => {
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  it('compare: exits 3 with one line saying by how much the image grew over the first', async () => {
    const grew = size(pr) - size(main);
    const pct = (grew / size(main)) * 100;
    assert.ok(pct > 5 && pct < 50, `fixture grows by ${pct}%`);
    const r = await runInProcess(Compare, [mainRef, prRef, '--max-increase', '5%', '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.equal(oneLine(r), `regsize: warning: ${prRef} is ${formatBytes(grew)} (+${pct.toFixed(1)}%) larger than ${mainRef}; --max-increase 5%`);
    assert.match(r.stdout, /team\/app:pr/, 'the table is still printed');

    // A limit the growth stays within passes, in percent and in bytes.
    const ok = await runInProcess(Compare, [mainRef, prRef, '--max-increase', `${Math.ceil(pct)}%`, '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    const okBytes = await runInProcess(Compare, [mainRef, prRef, '--max-increase', `${grew}B`, '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(okBytes.exitCode, 0, okBytes.stderr);
    const overBytes = await runInProcess(Compare, [mainRef, prRef, '--max-increase', `${grew - 1}B`, '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(overBytes.exitCode, 3, overBytes.stderr);
  });

  it('compare --json: says which gate failed, with the figures', async () => {
    const r = await runInProcess(Compare, [mainRef, prRef, '--max-increase', '5%', '--max-size', '10MB', '--json', '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 3, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: unknown[]; gates: { failed: string[]; increases: Record<string, unknown>[] } };
    assert.deepEqual(doc.gates.failed, ['max-increase']);
    assert.deepEqual(doc.gates.increases, [
      {
        image: prRef,
        base: mainRef,
        platform: 'linux/amd64',
        limit: '5%',
        fromSize: size(main),
        toSize: size(pr),
        bytes: size(pr) - size(main),
        percent: Math.round(((size(pr) - size(main)) / size(main)) * 10_000) / 100,
        exceeded: true,
      },
    ]);
    // Without a gate flag the document is as before.
    const plain = await runInProcess(Compare, [mainRef, '--json', '--no-cache', '--platform', 'linux/amd64']);
    assert.deepEqual(Object.keys(JSON.parse(plain.stdout)), ['images']);
  });

  it('compare: a failed image is exit 1, not a passed gate', async () => {
    const r = await runInProcess(Compare, [mainRef, `${reg.host}/team/app:nope`, '--max-increase', '5%', '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 1, r.stderr);
  });

  it('refuses a bare number with exit 2 before any network call', async () => {
    const r = await runInProcess(Compare, [mainRef, prRef, '--max-increase', '5', '--no-cache', '--verbose']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(oneLine(r), /^regsize: .*--max-increase "5": give a unit, a percentage \(5%\) or a size \(20MB\)/);
    assert.doesNotMatch(r.stderr, /GET /, 'no request was made');
  });

  it('diff: exits 3 when IMAGE grew over BASE by more than the limit, 0 within it', async () => {
    const grew = size(pr) - size(main);
    const r = await runInProcess(Diff, [mainRef, prRef, '--max-increase', '100kB', '--no-cache', '--platform', 'linux/amd64', '--json']);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(oneLine(r), new RegExp(`${prRef.replace(/[.]/g, '\\.')} is ${formatBytes(grew).replace('.', '\\.')} \\(\\+[\\d.]+%\\) larger than .*team/app:main; --max-increase 100kB$`));
    const doc = JSON.parse(r.stdout) as { gates: { failed: string[]; increases: { bytes: number; exceeded: boolean }[] } };
    assert.deepEqual(doc.gates.failed, ['max-increase']);
    assert.equal(doc.gates.increases[0]?.bytes, grew);
    const ok = await runInProcess(Diff, [mainRef, prRef, '--max-increase', `${grew}B`, '--no-cache', '--platform', 'linux/amd64']);
    assert.equal(ok.exitCode, 0, ok.stderr);
  });

  it('report: maxGrowth fails the second run with exit 3 when the image grew too much since the first', async () => {
    await pushImage(reg, 'team/svc', 'prod', main);
    const cfg = join(dir, 'growth.yaml');
    writeFileSync(
      cfg,
      `platform: linux/amd64
defaults:
  maxGrowth: 50%
images:
  - ref: ${reg.host}/team/svc:prod
    maxGrowth: 5%
  - ${reg.host}/team/app:main
`,
    );
    const history = join(dir, 'growth.db');
    const args = ['--config', cfg, '--history', history, '--format', 'json', '--no-cache'];
    const first = await runInProcess(Report, args);
    assert.equal(first.exitCode, 0, first.stderr);
    const r1 = JSON.parse(first.stdout) as { images: { growthBudget: unknown }[] };
    assert.deepEqual(r1.images.map((e) => e.growthBudget), [null, null], 'nothing to grow from on the first run');

    await pushImage(reg, 'team/svc', 'prod', pr);
    const second = await runInProcess(Report, args);
    assert.equal(second.exitCode, 3, second.stderr);
    const svc = `${reg.host}/team/svc:prod`;
    const line = oneLine(second);
    assert.ok(line.startsWith(`regsize: warning: ${svc} (linux/amd64) is ${formatBytes(size(pr) - size(main))} (+`), line);
    assert.match(line, /larger than its previous run \(.*\); maxGrowth 5%$/);
    const r2 = JSON.parse(second.stdout) as { images: { growthBudget: { fromSize: number; toSize: number; exceeded: boolean; limit: string } | null }[]; summary: { overGrowth: number } };
    assert.deepEqual(r2.images.map((e) => e.growthBudget && [e.growthBudget.limit, e.growthBudget.fromSize, e.growthBudget.toSize, e.growthBudget.exceeded]), [
      ['5%', size(main), size(pr), true],
      ['50%', size(main), size(main), false],
    ]);
    assert.equal(r2.summary.overGrowth, 1);
  });

  it('report: maxGrowth against a named baseline image, sized in the same run, without any history', async () => {
    const cfg = join(dir, 'baseline.yaml');
    writeFileSync(
      cfg,
      `platform: linux/amd64
images:
  - ref: ${prRef}
    maxGrowth: 5%
    baseline: ${mainRef}
  - ref: ${reg.host}/team/app:main
    maxGrowth: 1%
    baseline: ${reg.host}/team/app:gone
`,
    );
    const r = await runInProcess(Report, ['--config', cfg, '--no-history', '--format', 'json', '--no-cache']);
    // The missing baseline is a failed entry (exit 1 wins over 3), and the gate that could be checked failed.
    assert.equal(r.exitCode, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: { reference: string; error?: { code: string }; growthBudget?: { against: string; fromSize: number; toSize: number; exceeded: boolean } | null }[] };
    const g = doc.images.find((e) => e.reference === prRef)?.growthBudget;
    assert.deepEqual(g && [g.against, g.fromSize, g.toSize, g.exceeded], [mainRef, size(main), size(pr), true]);
    assert.equal(doc.images.find((e) => e.reference === mainRef)?.growthBudget, null, 'no baseline measured: not checked, not passed');
    assert.equal(doc.images.find((e) => e.reference === `${reg.host}/team/app:gone`)?.error?.code, 'MANIFEST_UNKNOWN');
    assert.match(r.stderr, new RegExp(`is ${formatBytes(size(pr) - size(main)).replace('.', '\\.')} \\(\\+[\\d.]+%\\) larger than ${mainRef.replace(/\./g, '\\.')}; maxGrowth 5%`));
  });
});
