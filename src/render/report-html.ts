/**
 * The report as one self-contained HTML page (no external fonts, scripts or images, so it can
 * be mailed, archived as a CI artifact or served as a static file): summary cards, a bar chart
 * of sizes with each image's budget and last-run size marked, a sortable table, and a trend
 * chart per image drawn from the history. Charts are inline SVG styled by the page's CSS, so
 * dark mode and printing follow the same rules. Everything that came from the config or a
 * registry is escaped.
 */
import { type Delta, isReportError, isRepositoryError, type ReportImage, type ReportResult, type StorageDelta } from '../report/model.js';
import { dateTimeText, deltaText, dollars, errorText, repositoryText, type Mark, markMeaning, marksOf, storedText, summaryParts } from './report-cells.js';
import { formatBytes, formatDuration, formatPercent, transferSeconds, type Units } from '../units.js';
import { REPORT_CSS, SORT_TABLE_JS } from './report-html/assets.js';
import { barChart, barState, shortDate, shorten, trendChart, withoutHost } from './report-html/charts.js';
import { breakable, esc } from './report-html/escape.js';
import { shortDigest } from './layers.js';

const BADGE: Record<Mark, string> = { over: 'over budget', growth: 'growth', rebuilt: 'rebuilt', new: 'new' };
const SEVERITY: Record<Mark, number> = { over: 8, growth: 4, rebuilt: 2, new: 1 };

function badges(marks: Mark[], r: ReportResult): string {
  return marks.map((m) => `<span class="badge ${m}" title="${esc(markMeaning(m, r))}">${BADGE[m]}</span>`).join(' ');
}

function deltaCell(d: Delta | StorageDelta | null, units: Units): string {
  if (!d) return '<td class="num" data-sort="">–</td>';
  const cls = d.bytes > 0 ? 'up' : d.bytes < 0 ? 'down' : 'same';
  const from = 'compressedSize' in d.from ? d.from.compressedSize : d.from.uniqueSize;
  return `<td class="num ${cls}" data-sort="${d.bytes}" title="from ${esc(formatBytes(from, units))} on ${esc(dateTimeText(d.from.at))}">${esc(deltaText(d, units))}</td>`;
}

function table(r: ReportResult, units: Units): string {
  const withHistory = r.history !== null;
  const bw = r.bandwidths[0];
  // One platform for all is said in the page header; a column would repeat it on every row.
  const withPlatform = new Set(r.images.map((e) => (isReportError(e) ? r.platform : e.platform))).size > 1;
  const head = [
    '<th data-type="num" title="sort by status">Status</th>',
    '<th data-type="text">Image</th>',
    ...(withPlatform ? ['<th data-type="text">Platform</th>'] : []),
    '<th data-type="num">Size</th>',
    '<th data-type="num" title="budget, and the share of it used">Budget</th>',
    ...(withHistory ? ['<th data-type="num">vs last run</th>', `<th data-type="num">vs ${esc(r.since.window)} ago</th>`] : []),
    ...(bw ? [`<th data-type="num" title="download time at ${esc(bw.label)}">@${esc(bw.label)}</th>`] : []),
  ];
  const body: string[] = [];
  for (const e of r.images) {
    if (isReportError(e)) {
      const cols = 2 + (withPlatform ? 1 : 0) + (withHistory ? 2 : 0) + (bw ? 1 : 0);
      body.push(
        `<tr class="failed"><td data-sort="16"><span class="badge failed">failed</span></td><td class="ref">${breakable(e.reference)}</td><td colspan="${cols}" class="error"><strong>${esc(e.error.code)}</strong> ${esc(errorText(e))}</td></tr>`,
      );
      continue;
    }
    const marks = marksOf(e, withHistory);
    const used = e.budget ? e.compressedSize / e.budget.maxSize : NaN;
    body.push(
      [
        `<tr class="${barState(e)}">`,
        `<td data-sort="${marks.reduce((s, m) => s + SEVERITY[m], 0)}">${badges(marks, r) || (e.budget ? '<span class="badge ok">ok</span>' : '')}</td>`,
        `<td class="ref" title="${esc(e.name)}">${breakable(e.reference)}<div class="sub" title="${esc(e.manifestDigest)}">${esc(shortDigest(e.manifestDigest))} · ${e.layers.length} layer${e.layers.length === 1 ? '' : 's'}</div></td>`,
        ...(withPlatform ? [`<td>${esc(e.platform)}</td>`] : []),
        `<td class="num size" data-sort="${e.compressedSize}">${esc(formatBytes(e.compressedSize, units))}</td>`,
        e.budget
          ? `<td class="num" data-sort="${used}">${esc(formatBytes(e.budget.maxSize, units))} <span class="pct ${barState(e)}">${esc(formatPercent(e.compressedSize, e.budget.maxSize))}</span> <span class="meter"><span class="fill ${barState(e)}" style="width:${Math.min(100, used * 100).toFixed(1)}%"></span></span></td>`
          : '<td class="num" data-sort="">–</td>',
        ...(withHistory ? [deltaCell(e.history?.previous ?? null, units), deltaCell(e.history?.since ?? null, units)] : []),
        ...(bw ? [`<td class="num" data-sort="${transferSeconds(e.compressedSize, bw)}">${esc(formatDuration(transferSeconds(e.compressedSize, bw)))}</td>`] : []),
        '</tr>',
      ].join(''),
    );
  }
  return `<table class="sortable"><thead><tr>${head.join('')}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

function cards(r: ReportResult, units: Units): string {
  const s = r.summary;
  const card = (label: string, value: string, note: string, cls = '') => `<div class="card ${cls}"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-note">${esc(note)}</div></div>`;
  const withBudget = r.images.filter((e) => !isReportError(e) && e.budget).length;
  // A config with only an ecr: section has no images to count.
  const imageCards = s.entries > 0 || s.repositories === 0;
  return [
    ...(imageCards
      ? [
          card('Images', String(s.sized), s.failed ? `${s.failed} could not be sized` : `on ${r.platform}`, s.failed ? 'bad' : ''),
          card('Total size', formatBytes(s.totalSize, units), r.bandwidths[0] ? `${formatDuration(transferSeconds(s.totalSize, r.bandwidths[0]))} at ${r.bandwidths[0].label}` : 'compressed'),
          card('Over budget', String(s.overBudget), withBudget ? `of ${withBudget} with a budget` : 'no budgets set', s.overBudget ? 'bad' : withBudget ? 'good' : ''),
        ]
      : []),
    ...(r.history && imageCards
      ? [
          card('Rebuilt', String(s.rebuilt), r.history.previousRunAt ? 'new digest since the last run' : 'first run: nothing to compare', s.rebuilt ? 'info' : ''),
          card(`Grew > ${r.alertGrowthPercent}%`, String(s.growthAlerts), 'since the last run', s.growthAlerts ? 'warn' : ''),
        ]
      : []),
    ...(s.repositories
      ? [s.repositoriesFailed === s.repositories
          ? card('ECR storage', 'unknown', storedText(s, units), 'bad')
          : card('ECR storage', formatBytes(s.storedSize, units), `${dollars(s.monthlyCost)} a month, ${s.repositories - s.repositoriesFailed} of ${s.repositories} repositor${s.repositories === 1 ? 'y' : 'ies'}${s.repositoriesFailed ? ` (${s.repositoriesFailed} audit${s.repositoriesFailed === 1 ? '' : 's'} failed)` : ''}`, s.repositoriesFailed ? 'warn' : '')]
      : []),
  ].join('\n');
}

function repositoriesPanel(r: ReportResult, units: Units): string {
  if (!r.repositories.length) return '';
  const withHistory = r.history !== null;
  const head = [
    '<th data-type="text">Repository</th>',
    '<th data-type="text">Region</th>',
    '<th data-type="num">Images</th>',
    '<th data-type="num" title="each layer counted once, as ECR stores and bills it">Stored</th>',
    ...(withHistory ? ['<th data-type="num">vs last run</th>'] : []),
    '<th data-type="num" title="what deleting the untagged images would free">Untagged, freeable</th>',
    '<th data-type="num" title="images not pulled for the stale period, and what deleting them would free">Stale</th>',
    '<th data-type="num">Per month</th>',
  ];
  const body = r.repositories.map((e) => {
    if (isRepositoryError(e)) {
      return `<tr class="failed"><td class="ref">${breakable(repositoryText(e))}</td><td>${esc(e.region)}</td><td colspan="${withHistory ? 6 : 5}" class="error"><strong>${esc(e.error.code)}</strong> ${esc(e.error.message)}</td></tr>`;
    }
    const freeable = e.reclaimableUntaggedSize;
    const share = freeable !== null && e.uniqueSize ? freeable / e.uniqueSize : 0;
    return [
      '<tr>',
      `<td class="ref">${breakable(repositoryText(e))}</td>`,
      `<td>${esc(e.region)}</td>`,
      `<td class="num" data-sort="${e.imageCount}">${e.imageCount}${e.untaggedCount ? ` <span class="muted">(${e.untaggedCount} untagged)</span>` : ''}</td>`,
      `<td class="num size" data-sort="${e.uniqueSize ?? ''}">${e.uniqueSize === null ? '<span class="muted">not read</span>' : esc(formatBytes(e.uniqueSize, units))}</td>`,
      ...(withHistory ? [deltaCell(e.history?.previous ?? null, units)] : []),
      `<td class="num" data-sort="${freeable ?? ''}">${freeable === null ? '–' : `${esc(formatBytes(freeable, units))} <span class="meter" title="${esc(formatPercent(freeable, e.uniqueSize ?? 0))} of what is stored"><span class="fill growth" style="width:${(Math.min(1, share) * 100).toFixed(1)}%"></span></span>`}</td>`,
      `<td class="num" data-sort="${e.reclaimableStaleSize ?? e.staleCount}">${e.staleCount}${e.reclaimableStaleSize ? ` <span class="muted">${esc(formatBytes(e.reclaimableStaleSize, units))}</span>` : ''}</td>`,
      `<td class="num" data-sort="${e.monthlyCost ?? ''}">${esc(dollars(e.monthlyCost))}</td>`,
      '</tr>',
    ].join('');
  });
  return `<section class="panel"><h2>ECR repositories <span class="muted">what each stores, shared layers counted once</span></h2><div class="table-wrap">
<table class="sortable"><thead><tr>${head.join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></div></section>`;
}

function trends(r: ReportResult, images: ReportImage[], units: Units): string {
  if (!r.history || images.length === 0) return '';
  const items = images.map((e, i) => {
    const since = e.history?.since;
    const delta = since && since.bytes !== 0 ? `<span class="delta ${since.bytes > 0 ? 'up' : 'down'}">${esc(deltaText(since, units))}</span>` : '<span class="delta same">no change</span>';
    const sinceNote = since ? `since ${shortDate(since.from.at)}` : 'first run';
    return `<figure class="trend-card ${barState(e)}">
<figcaption><span class="trend-name" title="${esc(e.name)} (${esc(e.platform)})">${esc(shorten(withoutHost(e.reference), 26))}</span><span class="trend-platform">${esc(e.platform)}</span></figcaption>
<div class="trend-figures"><span class="trend-size">${esc(formatBytes(e.compressedSize, units))}</span> ${delta} <span class="since">${esc(sinceNote)}</span></div>
${trendChart(e, i, units)}
</figure>`;
  });
  return `<section class="panel"><h2>Trends <span class="muted">over the last ${esc(r.since.window)}</span></h2><div class="trend-grid">\n${items.join('\n')}\n</div></section>`;
}


export function renderReportHtml(r: ReportResult, units: Units): string {
  const images = r.images.filter((e): e is ReportImage => !isReportError(e));
  const { headline, counts } = summaryParts(r, units);
  const meta = [`Generated ${dateTimeText(r.generatedAt)}`, `from ${r.config}`, `platform ${r.platform}`];
  if (r.history) meta.push(r.history.previousRunAt ? `compared with the run of ${dateTimeText(r.history.previousRunAt)}` : 'first run: no history yet');
  const hasBudget = images.some((e) => e.budget);
  const hasPrev = images.some((e) => e.history?.previous && e.history.previous.bytes !== 0);
  const legend = [
    '<span><i class="ok"></i>size</span>',
    ...(images.some((e) => e.budget?.over) ? ['<span><i class="over"></i>over budget</span>'] : []),
    ...(images.some((e) => !e.budget?.over && e.history?.growthAlert) ? [`<span><i class="growth"></i>grew more than ${r.alertGrowthPercent}%</span>`] : []),
    ...(hasBudget ? ['<span><i class="budget"></i>budget</span>'] : []),
    ...(hasPrev ? ['<span><i class="prev"></i>last run</span>'] : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="regsize">
<title>${esc(r.title)}: ${esc(headline)}</title>
<style>
${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>${esc(r.title)}</h1>
<p class="meta">${esc(meta.join(' · '))}</p>
</header>
<section class="cards" aria-label="${esc([headline, ...counts.map((c) => c.text)].join(', '))}">
${cards(r, units)}
</section>
${
  images.length
    ? `<section class="panel"><h2>Compressed size <span class="muted">what a pull downloads</span></h2>
${barChart(images, units)}
<div class="legend">${legend.join('')}</div>
</section>`
    : ''
}
${
  r.images.length
    ? `<section class="panel"><h2>Images</h2><div class="table-wrap">
${table(r, units)}
</div></section>`
    : ''
}
${repositoriesPanel(r, units)}
${trends(r, images, units)}
<footer>regsize · sizes are compressed layer bytes as the registry stores them, from the image manifests</footer>
</main>
<script>
${SORT_TABLE_JS}</script>
</body>
</html>
`;
}
