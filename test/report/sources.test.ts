/**
 * The `tags:` and `ecr:` sections of a report: tags through the tags module against the real
 * local registry (via the CLI), ECR repositories through the ECR audit against the fake ECR
 * API (nock; no AWS account is needed or touched).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/report/config.js';
import { History } from '../../src/report/size-history-db.js';
import { isRepositoryError, type ReportRepository } from '../../src/report/model.js';
import { runReport } from '../../src/report/run.js';
import { renderReportCsv } from '../../src/render/report-csv.js';
import { renderReportMarkdown } from '../../src/render/report-markdown.js';
import { formatBytes } from '../../src/units.js';
import { createSession } from '../../src/session.js';
import { silentLogger } from '../../src/log.js';
import { ACCOUNT, FakeEcr, type FakeRepository, useFakeAwsEnvironment, imageManifest, layerDigest, nockEcrApi } from '../ecr/fake-ecr.js';
import { runCli } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { tagExisting } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

/** RFC 4180 records, quoted fields included: an independent reader for the renderer's output. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

describe('report tags: section (tags module, real registry)', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  before(async () => {
    reg = await startRegistry();
  });
  after(async () => reg?.stop());

  it('sizes each tag the filter selects, held to the section budget, known in the history by its tag', async function () {
    const images = Object.fromEntries(['1.0', '1.1', '2.0'].map((t, i) => [t, makeImage({ layers: [makeRandomLayer({ size: 100_000 * (i + 1), seed: `svc-${t}` })] })]));
    for (const [tag, img] of Object.entries(images)) await pushImage(reg, 'team/svc', tag, img);
    // Another tag of 1.1's image, and a cosign signature tag that must stay hidden.
    await tagExisting(reg, 'team/svc', '1.1', '1-latest');
    await tagExisting(reg, 'team/svc', '1.0', `sha256-${'a'.repeat(64)}.sig`);
    const size = (t: string) => images[t]!.layers.reduce((s, l) => s + l.size, 0);
    const budget = Math.round((size('1.0') + size('1.1')) / 2);

    const dir = mkdtempSync(join(tmpdir(), 'regsize-report-tags-'));
    const cfg = join(dir, 'regsize.yaml');
    writeFileSync(
      cfg,
      `platform: linux/amd64
images:
  - ref: ${reg.host}/team/svc:1-latest
    maxSize: 10MB
tags:
  - repository: ${reg.host}/team/svc
    filter: ["1.*", "1-*"]
    maxSize: ${budget}
  - repository: ${reg.host}/team/nothing-here
`,
    );
    const history = join(dir, 'h.db');
    const res = await runCli(['report', '--config', cfg, '--history', history, '--json']);
    assert.equal(res.code, 1, `the missing repository fails the run: ${res.stderr}`);
    const r = JSON.parse(res.stdout) as { images: { reference: string; name: string; source: string; compressedSize?: number; budget: { maxSize: number; over?: boolean } | null; error?: { code: string } }[] };
    const svc = `${reg.host}/team/svc`;
    assert.deepEqual(
      r.images.map((e) => [e.reference, e.source, e.compressedSize ?? e.error?.code, e.budget?.maxSize, e.budget?.over]),
      [
        // images: first, with its own budget; the tags section does not repeat 1-latest.
        [`${svc}:1-latest`, 'images', size('1.1'), 10_000_000, false],
        [`${svc}:1.0`, 'tags', size('1.0'), budget, false],
        [`${svc}:1.1`, 'tags', size('1.1'), budget, true],
        [`${reg.host}/team/nothing-here`, 'tags', 'NAME_UNKNOWN', undefined, undefined],
      ],
    );
    // Pinned to the digest the tags module learned, but recorded under the tag.
    assert.deepEqual(r.images.slice(1, 3).map((e) => e.name), [`${svc}:1.0`, `${svc}:1.1`]);
    const hist = await runCli(['report', 'history', `${svc}:1.1`, '--history', history, '--json']);
    assert.equal(hist.code, 0, hist.stderr);
    assert.deepEqual((JSON.parse(hist.stdout) as { points: { compressedSize: number }[] }).points.map((p) => p.compressedSize), [size('1.1')]);
  });
});

describe('report ecr: section (ECR audit, fake ECR API)', function () {
  useFakeAwsEnvironment();

  const MT = 'application/vnd.oci.image.manifest.v1+json';
  const layer = (name: string, size: number) => ({ digest: layerDigest(name), size });

  it('reports stored bytes with shared layers once, the change since the last run, and a missing repository', async function () {
    const base = layer('base', 5_000_000);
    const app: FakeRepository = {
      name: 'app',
      images: [
        { manifest: imageManifest([base, layer('app-1', 1_000_000)]), mediaType: MT, tags: ['v1'] },
        { manifest: imageManifest([base, layer('app-2', 1_500_000)]), mediaType: MT, tags: ['v2'] },
      ],
    };
    const fake = new FakeEcr([app], { region: 'eu-west-1' });
    const scope = nockEcrApi(fake);
    const config = parseConfig('ecr:\n  - region: eu-west-1\n    repositories: [app, ghost]\n', 'regsize.yaml');
    const history = await History.open(':memory:');
    const { client } = createSession({ logger: silentLogger });
    const options = { client, logger: silentLogger, platform: { os: 'linux', architecture: 'amd64' }, history, since: { window: '30d', ms: 30 * 86_400_000 }, alertGrowthPercent: 10, bandwidths: [] };

    const first = await runReport(config, { ...options, now: Date.UTC(2025, 5, 1) });
    const stored1 = 5_000_000 + 1_000_000 + 1_500_000; // the base layer once
    const [ok, ghost] = first.repositories;
    assert.ok(ok && !isRepositoryError(ok), JSON.stringify(ok));
    assert.deepEqual([ok.repositoryName, ok.imageCount, ok.uniqueSize, ok.totalSize, ok.history?.previous], ['app', 2, stored1, 12_500_000, null]);
    assert.ok(ghost && isRepositoryError(ghost));
    assert.deepEqual([ghost.repositoryName, ghost.error.code], ['ghost', 'NAME_UNKNOWN']);
    assert.deepEqual([first.summary.repositories, first.summary.repositoriesFailed, first.summary.storedSize], [2, 1, stored1]);

    // A new image is pushed; the next run shows what it added to the storage.
    app.images.push({ manifest: imageManifest([base, layer('app-3', 2_000_000)]), mediaType: MT, tags: ['v3'] });
    const second = await runReport(config, { ...options, now: Date.UTC(2025, 5, 2) });
    const again = second.repositories[0] as ReportRepository;
    assert.equal(again.uniqueSize, stored1 + 2_000_000);
    assert.deepEqual(again.history?.previous, { from: { at: '2025-06-01T00:00:00.000Z', uniqueSize: stored1 }, bytes: 2_000_000, percent: Math.round((2_000_000 / stored1) * 10_000) / 100 });
    scope.done();
    history.close();

    const md = renderReportMarkdown(second, 'si');
    const uri = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app`;
    const row = md.split('\n').find((l) => l.startsWith(`| \`${uri}\``));
    assert.ok(row, md);
    assert.ok(row.includes(formatBytes(stored1 + 2_000_000)) && row.includes(`+${formatBytes(2_000_000)}`), row);
    assert.match(md, /\*\*Could not audit:\*\*\n- `ghost`: .*\(NAME_UNKNOWN\)/);
    const csv = parseCsv(renderReportCsv(second));
    const header = csv[0] as string[];
    const appRow = csv.find((r) => r[0] === uri) as string[];
    assert.deepEqual([appRow[header.indexOf('source')], Number(appRow[header.indexOf('stored_size')]), Number(appRow[header.indexOf('delta_stored_bytes')])], ['ecr', stored1 + 2_000_000, 2_000_000]);
    assert.ok(csv.every((r) => r.length === header.length), 'every CSV record has every field');
    assert.ok(!JSON.stringify(second).includes(fake.password), 'no ECR token in the report');
  });
});
