/**
 * `regsize report` end to end, as a scheduled job runs it: the real CLI against a real
 * registry (Debian's docker-registry), a history file on disk, an image re-pushed with another
 * layer between two runs. Expected sizes come from the bytes the test built.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/units.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const size = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

interface JsonEntry {
  reference: string;
  name: string;
  manifestDigest: string;
  compressedSize: number;
  budget: { maxSize: number; over: boolean; headroom: number } | null;
  history: {
    previous: { bytes: number; percent: number; from: { compressedSize: number; manifestDigest: string } } | null;
    since: { bytes: number; from: { compressedSize: number } } | null;
    rebuilt: boolean;
    growthAlert: boolean;
    trend: { compressedSize: number }[];
  } | null;
  error?: { code: string; message: string };
}
interface JsonReport {
  images: JsonEntry[];
  summary: { sized: number; failed: number; overBudget: number; rebuilt: number; growthAlerts: number; totalSize: number };
  history: { path: string; previousRunAt: string | null; recorded: boolean } | null;
}

/** The markdown table row of an image (its reference is in backticks). */
function row(markdown: string, ref: string): string {
  const line = markdown.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${ref}\``));
  assert.ok(line, `no row for ${ref} in:\n${markdown}`);
  return line;
}

describe('regsize report against a real registry', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let dir: string;
  const base = makeRandomLayer({ size: 700_000, seed: 'report-api-base' });
  const app = makeRandomLayer({ size: 200_000, seed: 'report-api-app' });
  const apiV1 = makeImage({ layers: [base, app] });
  // The rebuild: the same image with one more layer, as a new dependency would add.
  const apiV2 = makeImage({ layers: [base, app, makeRandomLayer({ size: 400_000, seed: 'report-api-deps' })] });
  const worker = makeImage({ layers: [makeRandomLayer({ size: 300_000, seed: 'report-worker' })] });
  // A budget the first build meets and the rebuild breaks, in plain bytes.
  const apiBudget = Math.round((size(apiV1) + size(apiV2)) / 2);

  before(async function () {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'regsize-report-'));
    await pushImage(reg, 'team/worker', 'prod', worker);
  });
  after(async () => reg?.stop());

  function config(name: string, extra = ''): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      `title: Team images
platform: linux/amd64
bandwidth: 5Mbps
defaults:
  maxSize: 5MB
images:
  - ref: ${reg.host}/team/api:prod
    maxSize: ${apiBudget}
  - ${reg.host}/team/worker:prod
${extra}`,
    );
    return file;
  }

  it('shows the delta and the rebuilt mark on the second run, and exits 3 on the budget breach', async function () {
    await pushImage(reg, 'team/api', 'prod', apiV1);
    const cfg = config('two-runs.yaml');
    const history = join(dir, 'two-runs.db');
    const api = `${reg.host}/team/api:prod`;
    const workerRef = `${reg.host}/team/worker:prod`;

    // Run 1: everything within budget, nothing to compare with yet.
    const first = await spawnCli(['report', '--config', cfg, '--history', history, '--format', 'json']);
    assert.equal(first.code, 0, first.stderr);
    const r1 = JSON.parse(first.stdout) as JsonReport;
    assert.deepEqual(r1.images.map((e) => [e.reference, e.compressedSize, e.budget?.over]), [
      [api, size(apiV1), false],
      [workerRef, size(worker), false],
    ]);
    assert.equal(r1.images[0]?.manifestDigest, apiV1.manifestDigest);
    assert.deepEqual(r1.images.map((e) => e.history?.previous), [null, null]);
    assert.deepEqual(r1.history, { path: history, previousRunAt: null, recorded: true });

    // The image is rebuilt with another layer and pushed under the same tag.
    await pushImage(reg, 'team/api', 'prod', apiV2);
    const grew = size(apiV2) - size(apiV1);

    // Run 2: markdown to a file (for the PR comment), JSON on stdout (for the pipeline).
    const md = join(dir, 'report.md');
    const second = await runCli(['report', '--config', cfg, '--history', history, '--format', 'markdown', '--output', md, '--json']);
    assert.equal(second.code, 3, second.stderr);
    const r2 = JSON.parse(second.stdout) as JsonReport;
    const [a, w] = r2.images as [JsonEntry, JsonEntry];
    assert.equal(a.compressedSize, size(apiV2));
    assert.equal(a.manifestDigest, apiV2.manifestDigest);
    assert.deepEqual(a.budget, { maxSize: apiBudget, over: true, headroom: apiBudget - size(apiV2) });
    assert.equal(a.history?.previous?.bytes, grew);
    assert.equal(a.history?.previous?.from.manifestDigest, apiV1.manifestDigest);
    assert.equal(a.history?.previous?.percent, Math.round((grew / size(apiV1)) * 10_000) / 100);
    assert.equal(a.history?.rebuilt, true);
    assert.equal(a.history?.growthAlert, grew / size(apiV1) > 0.1);
    assert.deepEqual(a.history?.trend.map((p) => p.compressedSize), [size(apiV1), size(apiV2)]);
    assert.deepEqual([w.history?.previous?.bytes, w.history?.rebuilt, w.budget?.over], [0, false, false]);
    const { entries, sized, failed, overBudget, rebuilt, growthAlerts, totalSize } = r2.summary as JsonReport['summary'] & { entries: number };
    assert.deepEqual({ entries, sized, failed, overBudget, rebuilt, growthAlerts, totalSize }, { entries: 2, sized: 2, failed: 0, overBudget: 1, rebuilt: 1, growthAlerts: 1, totalSize: size(apiV2) + size(worker) });
    assert.match(second.stderr, new RegExp(`warning: ${api.replace(/\./g, '\\.')} \\(linux/amd64\\) is .* over its budget`));
    assert.match(second.stderr, /wrote .*report\.md \(2 images, 1 over budget\)/);

    const markdown = readFileSync(md, 'utf8');
    const apiRow = row(markdown, api);
    assert.match(apiRow, /🔴/, 'over-budget mark');
    assert.match(apiRow, /🔁/, 'rebuilt mark');
    assert.ok(apiRow.includes(`+${formatBytes(grew)}`), `delta ${grew} bytes missing: ${apiRow}`);
    const workerRow = row(markdown, workerRef);
    assert.doesNotMatch(workerRow, /🔁|🔴/);
    assert.match(workerRow, /\| 0 B \| 0 B \|/);
    assert.match(markdown, /^🔴 over budget · 📈 grew more than 10% since the last run · 🔁 rebuilt/m);

    // Run 3, unchanged: no longer "rebuilt", but still over budget, and the 30-day view keeps the growth.
    const third = await runCli(['report', '--config', cfg, '--history', history, '--format', 'json', '--alert-growth', '50%']);
    assert.equal(third.code, 3);
    const a3 = (JSON.parse(third.stdout) as JsonReport).images[0] as JsonEntry;
    assert.deepEqual([a3.history?.previous?.bytes, a3.history?.rebuilt, a3.history?.growthAlert], [0, false, false]);
    assert.equal(a3.history?.since?.bytes, grew);
    assert.equal(a3.history?.since?.from.compressedSize, size(apiV1));

    // `report history` reads the three runs back, oldest first.
    const hist = await spawnCli(['report', 'history', api, '--history', history, '--json']);
    assert.equal(hist.code, 0, hist.stderr);
    const points = (JSON.parse(hist.stdout) as { points: { compressedSize: number; rebuilt: boolean; change: { bytes: number } | null }[] }).points;
    assert.deepEqual(points.map((p) => [p.compressedSize, p.change?.bytes ?? null, p.rebuilt]), [
      [size(apiV1), null, false],
      [size(apiV2), grew, true],
      [size(apiV2), 0, false],
    ]);
    const table = await runCli(['report', 'history', api, '--history', history]);
    assert.equal(table.code, 0);
    const lines = table.stdout.trim().split('\n');
    assert.equal(lines[0], `${api} (linux/amd64): 3 recorded runs`);
    assert.match(lines[1] ?? '', /^DATE +SIZE +CHANGE +BUDGET +DIGEST +NOTE$/);
    assert.ok(lines[3]?.includes(formatBytes(size(apiV2))) && lines[3].includes(`+${formatBytes(grew)}`) && lines[3].includes('rebuilt'), lines[3]);
    assert.ok(lines[3]?.includes(apiV2.manifestDigest.slice(7, 19)), lines[3]);
  });

  it('a failed image exits 1 even when another is over budget, and is reported beside the rest', async function () {
    await pushImage(reg, 'team/api', 'prod', apiV2);
    const cfg = config('with-missing.yaml', `  - ${reg.host}/team/gone:prod\n`);
    const res = await runCli(['report', '--config', cfg, '--no-history']);
    assert.equal(res.code, 1, res.stderr);
    assert.match(row(res.stdout, `${reg.host}/team/api:prod`), /🔴/);
    assert.match(row(res.stdout, `${reg.host}/team/gone:prod`), /❌.*\*\*MANIFEST_UNKNOWN\*\*/);
    assert.match(res.stdout, /\*\*Could not size:\*\*\n- `127\.0\.0\.1:\d+\/team\/gone:prod`: manifest unknown/);
    assert.doesNotMatch(res.stdout, /vs last run/, 'no history columns with --no-history');
  });

  it('writes one CSV row per image with exact bytes, and --no-history records nothing', async function () {
    await pushImage(reg, 'team/api', 'prod', apiV2);
    const cfg = config('csv.yaml');
    const history = join(dir, 'csv.db');
    const res = await runCli(['report', '--config', cfg, '--format', 'csv', '--no-history', '--history', history]);
    assert.equal(res.code, 2, 'the two history flags exclude each other');
    const ok = await runCli(['report', '--config', cfg, '--format', 'csv', '--no-history']);
    assert.equal(ok.code, 3, ok.stderr);
    const [header, ...rows] = ok.stdout.trimEnd().split('\r\n').map((l) => l.split(','));
    assert.equal(rows.length, 2);
    const col = (name: string) => (header as string[]).indexOf(name);
    assert.deepEqual(rows.map((r) => [r[col('reference')], Number(r[col('compressed_size')]), Number(r[col('max_size')]), r[col('over_budget')]]), [
      [`${reg.host}/team/api:prod`, size(apiV2), apiBudget, 'true'],
      [`${reg.host}/team/worker:prod`, size(worker), 5_000_000, 'false'],
    ]);
    assert.equal(existsSync(history), false);
  });

  it('a bad config exits 2 with one line naming the file, line and key, before touching the history', async function () {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `images:\n  - ref: ${reg.host}/team/api:prod\n    maxSize: 25OMB\n`);
    const history = join(dir, 'never.db');
    const res = await runCli(['report', '--config', file, '--history', history]);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.equal(res.stderr, `regsize: ${file}:3: images[0].maxSize: invalid size "25OMB": use a number with a unit, e.g. 200MB, 1.5GB or 300MiB\n`);
    assert.equal(existsSync(history), false);

    const json = await runCli(['report', '--config', join(dir, 'absent.yaml'), '--json']);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'CONFIG_INVALID');
  });
});
