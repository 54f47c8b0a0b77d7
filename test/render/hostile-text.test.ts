/**
 * Every human renderer, fed registry text a hostile registry could send (tag names, platforms,
 * `created_by`, media types, error messages, ECR names, a history database's rows): nothing
 * reaches the terminal raw, markdown renders it literally, CSV never starts a formula, HTML
 * escapes it. JSON is not tested here: JSON.stringify already escapes control characters.
 */
import assert from 'node:assert/strict';
import type { AuditResult, RepositoryAudit } from '../../src/ecr/audit.js';
import type { ReportImage, ReportResult } from '../../src/report/model.js';
import type { ImageHistory } from '../../src/report/timeline.js';
import { renderAudit, renderAuditCsv } from '../../src/render/audit.js';
import { renderCompare } from '../../src/render/compare.js';
import { renderDiff } from '../../src/render/diff.js';
import { renderLayers } from '../../src/render/layers.js';
import { renderReportCsv } from '../../src/render/report-csv.js';
import { renderImageHistory } from '../../src/render/report-history.js';
import { renderReportHtml } from '../../src/render/report-html.js';
import { renderReportMarkdown } from '../../src/render/report-markdown.js';
import { renderTable } from '../../src/render/table.js';
import { renderTags } from '../../src/render/tags.js';
import type { ImageEntry } from '../../src/sizing/compare.js';
import type { DiffResult } from '../../src/sizing/diff.js';
import type { LayersResult } from '../../src/sizing/layers.js';

/** An OSC 8 hyperlink, a screen clear, a title change, a C1 CSI, DEL, a bidi override and a newline. */
const ESCAPES = 'x\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\x1b[2J\x1b]0;pwned\x07\x9b2J\x7f\u202eexe.txt\u2066\nregsize: forged line';
/** Markdown that would become an image, a phishing link, a mention, HTML and a table break. */
const MARKUP = '![x](http://evil.example/p.png) **[log in here](http://evil.example/login)** @everyone <img src=x onerror=alert(1)> a|b';
const HOSTILE = `${ESCAPES} ${MARKUP}`;

// Any character a terminal acts on, other than the newlines the renderer itself writes.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const SHA = (c: string) => `sha256:${c.repeat(64)}`;

function assertTerminalSafe(out: string): void {
  assert.ok(!RAW_CONTROL.test(out), `raw control character in:\n${JSON.stringify(out)}`);
  assert.ok(!out.split('\n').some((l) => l.startsWith('regsize: forged line')), 'a newline in registry text started a line');
  // The escape is still there to see.
  assert.ok(out.includes('\\x1b]8;;http://evil.example/\\x07click'), out);
}

function assertMarkdownLiteral(out: string): void {
  assert.ok(!RAW_CONTROL.test(out), `raw control character in:\n${JSON.stringify(out)}`);
  for (const bad of ['](http://evil', '![x]', '**[log', '@everyone', '<img', 'a|b']) assert.ok(!out.includes(bad), `${bad} survived in:\n${out}`);
  // The text is still there, escaped to render as itself.
  assert.ok(out.includes('\\!\\[x\\]\\(http://evil.example/p.png\\)'), out);
}

const image = (o: Partial<ImageEntry> = {}): ImageEntry => ({
  reference: 'registry.example/app:1',
  name: 'registry.example/app:1',
  digest: SHA('a'),
  platform: HOSTILE,
  manifestDigest: SHA('b'),
  compressedSize: 1000,
  layers: [{ digest: SHA('c'), size: 1000, mediaType: `application/${HOSTILE}` }],
  ...o,
});

const layersResult = (): LayersResult => ({
  reference: 'registry.example/app:1',
  name: 'registry.example/app:1',
  platform: HOSTILE,
  manifestDigest: SHA('b'),
  compressedSize: 1000,
  layers: [{ digest: SHA('c'), size: 1000, mediaType: `application/${HOSTILE}`, createdBy: `/bin/sh -c ${HOSTILE}` }],
  warnings: [],
});

const diffResult = (): DiffResult => ({
  base: image({ reference: 'registry.example/base:1', name: 'registry.example/base:1' }),
  image: image(),
  baseFrom: 'annotation',
  sharedLayers: [],
  addedLayers: [{ digest: SHA('c'), size: 1000, createdBy: `RUN ${HOSTILE}` }],
  removedLayers: [],
  addedSize: 1000,
  warnings: [],
});

const audit = (): AuditResult => ({
  repositories: [
    {
      registryId: '123456789012',
      repositoryName: HOSTILE,
      region: 'eu-west-1',
      imageCount: 1,
      taggedCount: 1,
      untaggedCount: 0,
      totalSize: 1000,
      uniqueSize: 1000,
      reclaimableUntaggedSize: 0,
      staleCount: 0,
      reclaimableStaleSize: 0,
      monthlyCost: 0,
      layersRead: true,
      staleDays: 90,
      largest: [{ digest: SHA('d'), tags: [HOSTILE], size: 1000, pushedAt: '2025-01-01T00:00:00Z', lastPulledAt: null }],
    } as unknown as RepositoryAudit,
    { registryId: null, repositoryName: 'other', region: 'eu-west-1', error: { code: 'AWS', message: HOSTILE } },
  ],
});

function report(): ReportResult {
  const ok: ReportImage = { ...image(), source: 'images', budget: null, history: null, growthBudget: null };
  return {
    title: 'Images',
    generatedAt: '2025-06-01T00:00:00.000Z',
    config: 'regsize.yaml',
    platform: 'linux/amd64',
    bandwidths: [],
    since: { window: '30d', cutoff: '2025-05-02T00:00:00.000Z' },
    alertGrowthPercent: 10,
    history: null,
    images: [ok, { reference: 'registry.example/bad:1', source: 'images', budget: null, error: { code: 'REGISTRY_ERROR', message: HOSTILE } }],
    repositories: [{ registryId: null, repositoryName: 'team/app', region: 'eu-west-1', error: { code: 'AWS', message: HOSTILE } }],
    summary: { entries: 2, sized: 1, failed: 1, overBudget: 0, overGrowth: 0, rebuilt: 0, growthAlerts: 0, totalSize: 1000, repositories: 1, repositoriesFailed: 1, storedSize: 0, monthlyCost: 0 },
  };
}

describe('renderers given hostile registry text', () => {
  describe('terminal (plain) output', () => {
    it('compare: platform and error messages', () => {
      const out = renderCompare({ images: [image(), { reference: 'registry.example/bad:1', error: { code: 'REGISTRY_ERROR', message: HOSTILE } }] }, { units: 'si', bandwidths: [], style: 'plain' });
      assertTerminalSafe(out);
    });

    it('layers: platform, media type and created_by', () => {
      assertTerminalSafe(renderLayers(layersResult(), { units: 'si', style: 'plain' }));
    });

    it('diff: platform and created_by', () => {
      assertTerminalSafe(renderDiff(diffResult(), { units: 'si', style: 'plain' }));
    });

    it('tags: tag names, platforms and error messages', () => {
      const out = renderTags(
        { repository: 'registry.example/app', tags: [{ tag: HOSTILE, digest: SHA('a'), platform: HOSTILE, compressedSize: 1000 }, { tag: `${HOSTILE}2`, error: { code: 'REGISTRY_ERROR', message: HOSTILE } }] },
        { units: 'si', bandwidth: undefined, style: 'plain' },
      );
      assertTerminalSafe(out);
    });

    it('ecr audit: repository names and tags', () => {
      assertTerminalSafe(renderAudit(audit(), { units: 'si', style: 'plain' }));
    });

    it('report history: what the history database holds', () => {
      const h: ImageHistory = {
        image: HOSTILE,
        history: '/tmp/h.db',
        points: [{ at: '2025-06-01T00:00:00.000Z', platform: HOSTILE, digest: SHA('a'), manifestDigest: `sha256:${HOSTILE}`, compressedSize: 1000, maxSize: null, change: null, rebuilt: false }],
      } as ImageHistory;
      assertTerminalSafe(renderImageHistory(h, { units: 'si', style: 'plain' }));
    });

    it('a plain table, whoever forgot to escape a cell', () => {
      assertTerminalSafe(renderTable([{ header: 'A' }, { header: 'B' }], [[HOSTILE, 'x']]));
    });
  });

  describe('markdown output', () => {
    it('compare', () => {
      assertMarkdownLiteral(renderCompare({ images: [image(), { reference: 'registry.example/bad:1', error: { code: 'REGISTRY_ERROR', message: HOSTILE } }] }, { units: 'si', bandwidths: [], style: 'markdown' }));
    });

    it('layers and diff', () => {
      assertMarkdownLiteral(renderLayers(layersResult(), { units: 'si', style: 'markdown' }));
      assertMarkdownLiteral(renderDiff(diffResult(), { units: 'si', style: 'markdown' }));
    });

    it('tags', () => {
      assertMarkdownLiteral(renderTags({ repository: 'r', tags: [{ tag: HOSTILE, digest: SHA('a'), platform: HOSTILE, compressedSize: 1 }, { tag: 'b', error: { code: 'REGISTRY_ERROR', message: HOSTILE } }] }, { units: 'si', bandwidth: undefined, style: 'markdown' }));
    });

    it('ecr audit', () => {
      assertMarkdownLiteral(renderAudit(audit(), { units: 'si', style: 'markdown' }));
    });

    it('report: platform, error messages of images and repositories', () => {
      const out = renderReportMarkdown(report(), 'si');
      assertMarkdownLiteral(out);
      // Every table row still has its columns: no pipe from the registry split a cell.
      const rows = out.split('\n').filter((l) => l.startsWith('| '));
      const cells = (l: string) => l.split(/(?<!\\)\|/).length;
      assert.ok(rows.length >= 3);
      assert.equal(new Set(rows.slice(0, 3).map(cells)).size, 1, rows.join('\n'));
    });
  });

  describe('CSV output', () => {
    it('report: the platform column is guarded like every text cell', () => {
      const r = report();
      (r.images[0] as ReportImage).platform = '=HYPERLINK("http://evil.example","click")';
      const csv = renderReportCsv(r);
      const row = csv.split('\r\n')[1] as string;
      assert.ok(row.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), row);
      assert.ok(!RAW_CONTROL.test(csv.replace(/\r\n/g, '')), JSON.stringify(csv));
    });

    it('ecr audit: CRLF like the report, and guarded', () => {
      const a = audit();
      (a.repositories[0] as RepositoryAudit).repositoryName = '@SUM(1+1)*cmd|" /C calc"!A0';
      const csv = renderAuditCsv(a);
      assert.ok(csv.endsWith('\r\n') && !/[^\r]\n/.test(csv), JSON.stringify(csv));
      assert.equal(csv.split('\r\n')[1]?.split(',')[1], `"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
    });
  });

  describe('HTML output', () => {
    it('escapes registry text everywhere: no tag, attribute or script can be injected', () => {
      const r = report();
      const attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'';
      (r.images[0] as ReportImage).platform = attack;
      r.images[1] = { reference: 'registry.example/bad:1', source: 'images', budget: null, error: { code: 'REGISTRY_ERROR', message: attack } };
      r.repositories[0] = { registryId: null, repositoryName: 'team/app', region: 'eu-west-1', error: { code: 'AWS', message: attack } };
      (r.images[0] as ReportImage).history = { previous: null, since: null, rebuilt: false, growthAlert: false, trend: [{ at: '2025-06-01T00:00:00.000Z', compressedSize: 1000 }] };
      r.history = { path: '/tmp/h.db', previousRunAt: null, recorded: true };
      const html = renderReportHtml(r, 'si');
      assert.ok(!html.includes('<script>alert'), 'script injected');
      assert.ok(!html.includes('<img'), 'img injected');
      // Every place the platform appears, it appears escaped (as text, in attributes too).
      const escaped = '&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;&#39;';
      assert.ok(html.includes(escaped), 'the text is shown escaped');
      assert.ok(!html.split(escaped).join('').includes('alert('), 'the platform appears somewhere unescaped');
      assert.equal(html.match(/<script>/g)?.length, 1, 'only the page\'s own sorter script');
    });
  });

  describe('size', () => {
    it('renders a table of 200,000 rows (no Math.max spread overflowing the stack)', () => {
      const rows = Array.from({ length: 200_000 }, (_, i) => [`tag-${i}`, String(i)]);
      rows[123_456] = ['the-longest-tag-of-them-all', '7'];
      const out = renderTable([{ header: 'TAG' }, { header: 'N', align: 'right' }], rows);
      const lines = out.trimEnd().split('\n');
      assert.equal(lines.length, 200_001);
      // Columns are as wide as the widest cell, computed here from the rows themselves.
      const widest = rows.reduce((m, r) => Math.max(m, (r[0] as string).length), 'TAG'.length);
      assert.equal(lines[0], `${'TAG'.padEnd(widest)}  ${'N'.padStart(6)}`);
      assert.equal(lines[123_457], `${'the-longest-tag-of-them-all'.padEnd(widest)}  ${'7'.padStart(6)}`);
    });
  });
});
