/**
 * The HTML report opened in a real browser: Debian's chromium, driven by playwright-core
 * (never a downloaded browser). The page is produced by the real CLI against the real local
 * registry, with a month of history recorded beforehand, and checked the way a reader uses it:
 * the bar chart has one bar per sized image with the right sizes, the table sorts when a header
 * is clicked, every trend chart is drawn, and nothing is fetched from anywhere. A screenshot is
 * left in test-output/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { History } from '../../src/report/size-history-db.js';
import { runCli } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const DAY = 86_400_000;

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    // Its disk cache goes to the run's temp dir (removed after the run), not ~/.cache.
    env: { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'regsize-chromium-')) },
  });
}

interface Spec {
  repo: string;
  tag: string;
  layers: number[];
  maxSize?: number;
  /** Sizes recorded by earlier runs, as fractions of today's size, oldest first. */
  past: number[];
  /** Whether the last recorded run saw another image (so today's is "rebuilt"). */
  rebuiltSince?: boolean;
}

const SPECS: Spec[] = [
  { repo: 'shop/web', tag: 'prod', layers: [900_000, 650_000, 200_000], past: [1.04, 1.03, 1.01, 1.0, 1.0] },
  { repo: 'shop/api', tag: 'prod', layers: [900_000, 1_100_000, 600_000], maxSize: 2_200_000, past: [0.78, 0.8, 0.81, 0.83, 0.84], rebuiltSince: true },
  { repo: 'shop/worker', tag: 'prod', layers: [900_000, 250_000], past: [1, 1, 1, 1, 1] },
  { repo: 'base/python', tag: '3.12-slim', layers: [1_050_000, 380_000], past: [0.97, 0.98, 0.99, 1, 1] },
  { repo: 'tools/migrate', tag: 'latest', layers: [420_000, 180_000], maxSize: 1_000_000, past: [0.9, 0.9, 0.95, 0.95, 1] },
];

describe('report --format html in headless chromium', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let browser: Browser | undefined;
  const built = new Map<string, Image>();

  before(async function () {
    [reg, browser] = await Promise.all([startRegistry(), launch()]);
    for (const s of SPECS) {
      const image = makeImage({ layers: s.layers.map((size, i) => makeRandomLayer({ size, seed: `${s.repo}-${i}` })) });
      built.set(s.repo, image);
      await pushImage(reg, s.repo, s.tag, image);
    }
  });
  after(async function () {
    await browser?.close();
    await reg?.stop();
  });

  it('draws a bar per image, sorts the table on click, draws the trends, fetches nothing, and leaves a screenshot', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-report-html-'));
    const ref = (s: Spec) => `${reg.host}/${s.repo}:${s.tag}`;
    const size = (s: Spec) => (built.get(s.repo) as Image).layers.reduce((n, l) => n + l.size, 0);

    // A month of weekly runs before today's, as a scheduled job would have recorded them.
    const history = join(dir, 'history.db');
    const h = await History.open(history);
    const now = Date.now();
    SPECS[0]!.past.forEach((_, k) => {
      const at = now - (29 - 7 * k) * DAY;
      h.record({
        at,
        config: 'regsize.yaml',
        platform: 'linux/amd64',
        entries: SPECS.map((s) => {
          const current = (built.get(s.repo) as Image).manifestDigest;
          const sameAsToday = k === s.past.length - 1 && !s.rebuiltSince;
          const digest = sameAsToday ? current : `sha256:${createHash('sha256').update(`${s.repo}@${k}`).digest('hex')}`;
          return { image: ref(s), platform: 'linux/amd64', digest, manifestDigest: digest, compressedSize: Math.round(size(s) * (s.past[k] as number)), maxSize: s.maxSize ?? 2_000_000 };
        }),
      });
    });
    h.close();

    const cfg = join(dir, 'regsize.yaml');
    writeFileSync(
      cfg,
      [
        'title: Shop images',
        'platform: linux/amd64',
        'bandwidth: 5Mbps',
        'defaults:',
        '  maxSize: 2MB',
        'images:',
        ...SPECS.map((s) => (s.maxSize ? `  - ref: ${ref(s)}\n    maxSize: ${s.maxSize}` : `  - ${ref(s)}`)),
        `  - ${reg.host}/shop/gone:prod`,
        '',
      ].join('\n'),
    );
    const file = join(dir, 'report.html');
    const res = await runCli(['report', '--config', cfg, '--history', history, '--format', 'html', '--output', file, '--since', '30d']);
    assert.equal(res.code, 1, `one image is missing, so the run fails: ${res.stderr}`);
    assert.equal(res.stdout, '');

    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);

    // The chart: one bar per sized image (the missing one has none), largest first, with
    // each image's budget drawn, and the one over budget coloured as such.
    const bars = await page.$$eval('svg.bars rect.bar', (els) => els.map((e) => ({ size: Number(e.getAttribute('data-size')), over: e.classList.contains('over'), width: Number(e.getAttribute('width')) })));
    const expected = SPECS.map(size).sort((a, b) => b - a);
    assert.equal(bars.length, SPECS.length);
    assert.deepEqual(bars.map((b) => b.size), expected);
    assert.deepEqual(bars.filter((b) => b.over).map((b) => b.size), SPECS.filter((s) => size(s) > (s.maxSize ?? 2_000_000)).map(size));
    assert.ok(bars.every((b, i) => i === 0 || b.width <= (bars[i - 1] as { width: number }).width), 'bar lengths follow the sizes');
    assert.equal(await page.locator('svg.bars line.budget').count(), SPECS.length);
    const box = await page.locator('svg.bars').boundingBox();
    assert.ok(box && box.width > 900 && box.height > 100, `the chart is laid out: ${JSON.stringify(box)}`);

    // The table sorts by size on a click, and the other way on a second click; text columns too.
    const sizes = () => page.$$eval('table.sortable tbody tr td.size', (tds) => tds.map((td) => Number(td.getAttribute('data-sort'))));
    const sizeHeader = page.locator('table.sortable').first().locator('th', { hasText: /^Size$/ });
    await sizeHeader.click();
    assert.deepEqual(await sizes(), [...expected].reverse());
    assert.equal(await sizeHeader.getAttribute('aria-sort'), 'ascending');
    await sizeHeader.click();
    assert.deepEqual(await sizes(), expected);
    assert.equal(await sizeHeader.getAttribute('aria-sort'), 'descending');
    const lastRow = await page.locator('table.sortable tbody tr').last().getAttribute('class');
    assert.equal(lastRow, 'failed', 'the image that could not be sized stays at the bottom');
    await page.locator('table.sortable').first().locator('th', { hasText: /^Image$/ }).click();
    const names = await page.$$eval('table.sortable tbody tr:not(.failed) td.ref', (tds) => tds.map((td) => [...td.childNodes].filter((n) => n.nodeName !== 'DIV').map((n) => n.textContent).join('')));
    assert.deepEqual(names, SPECS.map(ref).sort());

    // A trend chart per image: the five recorded runs and today's.
    const trendPoints = await page.$$eval('.trend-card', (cards) => cards.map((c) => c.querySelectorAll('svg.trend circle.dot').length));
    assert.deepEqual(trendPoints, SPECS.map(() => SPECS[0]!.past.length + 1));
    const api = SPECS[1] as Spec;
    const apiRow = page.locator('table.sortable tbody tr', { hasText: ref(api) });
    assert.deepEqual(await apiRow.locator('.badge').allTextContents(), ['over budget', 'growth', 'rebuilt']);

    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), [], 'the page is self-contained');

    // Sorted back by status for the picture: the problems first.
    await page.locator('table.sortable').first().locator('th', { hasText: /^Status$/ }).click();
    await page.locator('table.sortable').first().locator('th', { hasText: /^Status$/ }).click();
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });
    await page.close();
  });
});
