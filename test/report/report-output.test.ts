/**
 * issue #13, "Output that fits", the report items: a failed ECR audit is not summarised as
 * 0 B and $0.00; `report history` counts runs, not platform rows; `--platform` finds the rows
 * recorded under containerd's other spelling of it, and "no recorded sizes" never names an
 * image it then lists; the HTML bar chart's labels fit its viewBox (measured by chromium).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import ReportHistory from '../../commands/report/history.js';
import { parseConfig } from '../../src/report/config.js';
import { History } from '../../src/report/size-history-db.js';
import { runReport } from '../../src/report/run.js';
import { renderReportHtml } from '../../src/render/report-html.js';
import { renderReportMarkdown } from '../../src/render/report-markdown.js';
import { formatBytes } from '../../src/units.js';
import { createSession } from '../../src/session.js';
import { silentLogger } from '../../src/log.js';
import { runInProcess } from '../commands/run-in-process.js';
import { FakeEcr, type FakeRepository, useFakeAwsEnvironment, imageManifest, layerDigest, nockEcrApi } from '../ecr/fake-ecr.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const DAY = 86_400_000;
const baseOptions = () => {
  const { client } = createSession({ logger: silentLogger, plainHttp: true, timeoutMs: 10_000, retries: 0 });
  return { client, logger: silentLogger, platform: { os: 'linux', architecture: 'amd64' }, history: null, since: { window: '30d', ms: 30 * DAY }, alertGrowthPercent: 10, bandwidths: [] };
};

describe('report: a failed ECR audit is not summarised as storing 0 B', function () {
  useFakeAwsEnvironment();

  const app: FakeRepository = {
    name: 'app',
    images: [{ manifest: imageManifest([{ digest: layerDigest('base'), size: 5_000_000 }, { digest: layerDigest('app'), size: 1_000_000 }]), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['v1'] }],
  };

  it('says the stored size is unknown when every audit failed', async function () {
    nockEcrApi(new FakeEcr([app], { region: 'eu-west-1' }));
    const config = parseConfig('ecr:\n  - region: eu-west-1\n    repositories: [ghost, phantom]\n', 'regsize.yaml');
    const r = await runReport(config, baseOptions());
    assert.deepEqual([r.summary.repositories, r.summary.repositoriesFailed], [2, 2]);
    const md = renderReportMarkdown(r, 'si');
    const html = renderReportHtml(r, 'si');
    for (const [name, text] of [['markdown', md], ['html', html]] as const) {
      assert.ok(!text.includes('$0.00'), `${name} claims a cost of $0.00:\n${text}`);
      assert.ok(!text.includes(`storing ${formatBytes(0)}`) && !text.includes(`${formatBytes(0)} in all`), `${name} claims 0 B stored:\n${text}`);
      assert.ok(text.includes('unknown, because all 2 audits failed'), `${name} does not say why the figure is unknown:\n${text}`);
    }
  });

  it('gives the stored figure of the audited repositories only, and says how many failed', async function () {
    nockEcrApi(new FakeEcr([app], { region: 'eu-west-1' }));
    const config = parseConfig('ecr:\n  - region: eu-west-1\n    repositories: [app, ghost]\n', 'regsize.yaml');
    const r = await runReport(config, baseOptions());
    const stored = formatBytes(6_000_000); // the two layers pushed, once each
    const md = renderReportMarkdown(r, 'si');
    assert.ok(md.includes(`storing ${stored} in the 1 audited (1 audit failed)`), md);
    assert.ok(md.includes(`; ${stored} in the 1 audited (1 audit failed), about `), md);
    assert.ok(renderReportHtml(r, 'si').includes('1 of 2 repositories (1 audit failed)'));
  });
});

describe('report history: runs, and --platform', function () {
  let dir: string;
  const IMAGE = 'docker.io/library/python:3.12-slim';
  const T0 = Date.UTC(2025, 0, 1);
  const digest = (c: string) => `sha256:${c.repeat(64)}`;

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), 'regsize-report-history-'));
    const h = await History.open(join(dir, 'history.db'), { create: true });
    // Two runs, each measuring two platforms of the image; arm64 recorded as the index names it.
    for (const [k, at] of [T0, T0 + DAY].entries()) {
      h.record({
        at,
        config: 'regsize.yaml',
        platform: 'all',
        entries: [
          { image: IMAGE, platform: 'linux/amd64', digest: digest('a'), manifestDigest: digest('b'), compressedSize: 40_000_000 + k, maxSize: null },
          { image: IMAGE, platform: 'linux/arm64/v8', digest: digest('a'), manifestDigest: digest('c'), compressedSize: 38_000_000 + k, maxSize: null },
        ],
      });
    }
    h.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts runs, not platform rows', async function () {
    const r = await runInProcess(ReportHistory, ['python:3.12-slim', '--history', join(dir, 'history.db')]);
    assert.equal(r.exitCode, 0, r.stderr);
    const title = r.stdout.split('\n')[0] as string;
    assert.equal(title, `${IMAGE}: 2 recorded runs`);
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('linux/')).length, 4, 'still one row per platform per run');
  });

  it('finds linux/arm64 recorded as linux/arm64/v8, and never says "no records" of an image it has', async function () {
    const arm = await runInProcess(ReportHistory, ['python:3.12-slim', '--platform', 'linux/arm64', '--history', join(dir, 'history.db')]);
    assert.equal(arm.exitCode, 0, arm.stderr);
    assert.equal(arm.stderr, '');
    assert.equal(arm.stdout.split('\n')[0], `${IMAGE} (linux/arm64/v8): 2 recorded runs`);
    assert.ok(arm.stdout.includes(formatBytes(38_000_001)) && !arm.stdout.includes(formatBytes(40_000_001)), arm.stdout);

    const none = await runInProcess(ReportHistory, ['python:3.12-slim', '--platform', 'linux/s390x', '--history', join(dir, 'history.db')]);
    assert.equal(none.exitCode, 2);
    assert.equal(none.stdout, '');
    const lines = none.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, none.stderr);
    assert.match(lines[0] as string, /no recorded sizes of docker\.io\/library\/python:3\.12-slim for linux\/s390x .*recorded for linux\/amd64, linux\/arm64\/v8/);
    assert.ok(!/it has .*python:3\.12-slim/.test(none.stderr), none.stderr);
  });
});

describe('report --format html: bar chart labels fit the chart (headless chromium)', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let browser: Browser | undefined;
  before(async function () {
    [reg, browser] = await Promise.all([
      startRegistry(),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] }),
    ]);
  });
  after(async function () {
    await browser?.close();
    await reg?.stop();
  });

  it('draws every label, wide letters and all, inside the viewBox', async function () {
    // "m" and "w" are the widest lowercase letters of any font: the worst case for a label.
    const long = `${reg.host}/mmmmwwwwmmmmwwwwmmmmwwww/mmmmwwwwmmmm:wwwwmmmm`;
    const short = `${reg.host}/wm/mw:mmww`;
    for (const [i, ref] of [long, short].entries()) {
      const repo = ref.slice(reg.host.length + 1, ref.lastIndexOf(':'));
      await pushImage(reg, repo, ref.slice(ref.lastIndexOf(':') + 1), makeImage({ layers: [makeRandomLayer({ size: 10_000 * (i + 1), seed: ref })] }));
    }
    const config = parseConfig(`images:\n  - ${long}\n  - ${short}\n`, 'regsize.yaml');
    const r = await runReport(config, baseOptions());
    assert.equal(r.summary.sized, 2, JSON.stringify(r.images));
    const page = await (browser as Browser).newPage();
    try {
      await page.setContent(renderReportHtml(r, 'si'));
      const labels = await page.$$eval('svg.bars text.label', (els) =>
        els.map((el) => {
          // The page's DOM types (the test is compiled without the DOM library).
          const t = el as unknown as { getBBox(): { x: number; width: number }; firstChild: { textContent: string | null } | null; ownerSVGElement: { viewBox: { baseVal: { x: number; width: number } } } };
          const box = t.getBBox();
          const vb = t.ownerSVGElement.viewBox.baseVal;
          return { text: t.firstChild?.textContent ?? '', x: box.x, right: box.x + box.width, vbX: vb.x, vbRight: vb.x + vb.width };
        }),
      );
      assert.equal(labels.length, 2);
      for (const l of labels) {
        assert.ok(l.x >= l.vbX && l.right <= l.vbRight, `label "${l.text}" spans ${l.x}..${l.right}, outside the viewBox ${l.vbX}..${l.vbRight}`);
      }
      // The short one is shown whole; the long one shortened in the middle, its ends kept.
      assert.ok(labels.some((l) => l.text === short), JSON.stringify(labels));
      const shown = labels.find((l) => l.text !== short)?.text ?? '';
      assert.ok(shown.includes('…') && long.startsWith(shown.slice(0, shown.indexOf('…'))) && long.endsWith(shown.slice(shown.indexOf('…') + 1)), shown);
    } finally {
      await page.close();
    }
  });
});
