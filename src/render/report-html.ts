/**
 * The report as one self-contained HTML page (no external fonts, scripts or images, so it can
 * be mailed, archived as a CI artifact or served as a static file): summary cards, a bar chart
 * of sizes with each image's budget and last-run size marked, a sortable table, and a trend
 * chart per image drawn from the history. Charts are inline SVG styled by the page's CSS, so
 * dark mode and printing follow the same rules. Everything that came from the config or a
 * registry is escaped.
 */
import { type Delta, isReportError, isRepositoryError, type ReportImage, type ReportResult, type StorageDelta } from '../report/model.js';
import { budgetText, dateTimeText, deltaText, dollars, errorText, repositoryText, type Mark, markMeaning, marksOf, storedText, summaryParts } from './report-cells.js';
import { formatBytes, formatDuration, formatPercent, transferSeconds, type Units } from '../units.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A reference that may wrap in a narrow cell, at its separators rather than mid-word. */
function breakable(ref: string): string {
  // Pieces between separators never break (not even at a hyphen: eu-west-1 stays whole).
  return ref
    .split(/(?<=[/:@.])/)
    .map((piece) => `<span class="nobr">${esc(piece)}</span>`)
    .join('<wbr>');
}

/** Long references keep their start (registry) and their end (repository and tag). */
function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
}

/** "ghcr.io/org/app:1" -> "org/app:1": small cards name the image, the title keeps the host. */
function withoutHost(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' ? ref.slice(slash + 1) : ref;
}

/** Round axis steps (1, 2, 2.5, 5 x 10^n) covering 0..max in about `count` steps. */
export function niceTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Math.round(v));
  return ticks;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "29 Nov" (UTC): day-month order is unambiguous to every reader. */
function shortDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

function n(v: number): string {
  return Number(v.toFixed(1)).toString();
}

/** The state that colours an image's bar: the most serious mark it has. */
function barState(e: ReportImage): 'over' | 'growth' | 'ok' {
  if (e.budget?.over) return 'over';
  if (e.history?.growthAlert) return 'growth';
  return 'ok';
}

/** Longer references are shortened in the middle (the whole name is in the label's tooltip). */
const LABEL_CHARS = 40;
/** A monospace character's advance, in em: 0.6 in Menlo, DejaVu Sans Mono, Liberation Mono; less in Consolas. */
const LABEL_EM = 0.62;

function barChart(images: ReportImage[], units: Units): string {
  const rows = [...images].sort((a, b) => b.compressedSize - a.compressedSize);
  const labels = rows.map((e) => shorten(e.reference, LABEL_CHARS));
  // The label column is as wide as the longest label needs, so no label starts left of the
  // viewBox: labels are set in a monospace font, whose every character is LABEL_EM wide at most.
  const labelW = Math.max(120, Math.ceil(labels.reduce((m, l) => Math.max(m, l.length), 0) * 13 * LABEL_EM) + 24);
  const valueW = 96;
  const left = labelW;
  const right = left + 574;
  const W = right + valueW;
  const rowH = 30;
  const barH = 16;
  const top = 30;
  const H = top + rows.length * rowH + 6;
  // reduce, not Math.max(...rows): a spread of 125,000+ arguments overflows the stack.
  const max = rows.reduce((m, e) => Math.max(m, e.compressedSize, e.budget?.maxSize ?? 0, e.history?.previous?.from.compressedSize ?? 0), 1);
  const ticks = niceTicks(max);
  const domain = ticks[ticks.length - 1] as number;
  const x = (v: number) => left + (v / domain) * (right - left);
  const out: string[] = [];
  out.push(`<svg class="bars" viewBox="0 0 ${W} ${H}" role="img" aria-label="Compressed size of each image, with its budget">`);
  for (const t of ticks) {
    out.push(`<line class="grid" x1="${n(x(t))}" x2="${n(x(t))}" y1="${top - 6}" y2="${H - 4}"/>`);
    out.push(`<text class="tick" x="${n(x(t))}" y="${top - 12}" text-anchor="middle">${esc(t === 0 ? '0' : formatBytes(t, units))}</text>`);
  }
  rows.forEach((e, i) => {
    const y = top + i * rowH;
    const by = y + (rowH - barH) / 2;
    const mid = y + rowH / 2;
    const tip = [`${e.reference} (${e.platform}): ${formatBytes(e.compressedSize, units)}`];
    if (e.budget) tip.push(`budget ${budgetText(e, units)}`);
    if (e.history?.previous) tip.push(`last run ${formatBytes(e.history.previous.from.compressedSize, units)}`);
    out.push(`<g class="row">`);
    out.push(`<text class="label" x="${left - 12}" y="${mid}" text-anchor="end" dominant-baseline="central">${esc(labels[i] as string)}<title>${esc(e.reference)} (${esc(e.platform)})</title></text>`);
    out.push(`<rect class="track" x="${left}" y="${n(by)}" width="${right - left}" height="${barH}" rx="4"/>`);
    out.push(
      `<rect class="bar ${barState(e)}" data-size="${e.compressedSize}" x="${left}" y="${n(by)}" width="${n(Math.max(2, x(e.compressedSize) - left))}" height="${barH}" rx="4"><title>${esc(tip.join(' · '))}</title></rect>`,
    );
    const prev = e.history?.previous?.from.compressedSize;
    if (prev !== undefined && prev !== e.compressedSize) {
      out.push(`<line class="prev" x1="${n(x(prev))}" x2="${n(x(prev))}" y1="${n(by + 3)}" y2="${n(by + barH - 3)}"><title>last run: ${esc(formatBytes(prev, units))}</title></line>`);
    }
    if (e.budget) {
      out.push(`<line class="budget" x1="${n(x(e.budget.maxSize))}" x2="${n(x(e.budget.maxSize))}" y1="${y + 3}" y2="${y + rowH - 3}"><title>budget: ${esc(formatBytes(e.budget.maxSize, units))}</title></line>`);
    }
    out.push(`<text class="value ${barState(e)}" x="${W - 4}" y="${mid}" text-anchor="end" dominant-baseline="central">${esc(formatBytes(e.compressedSize, units))}</text>`);
    out.push(`</g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function trendChart(e: ReportImage, index: number, units: Units): string {
  const points = (e.history?.trend ?? []).map((p) => ({ t: Date.parse(p.at), v: p.compressedSize }));
  const W = 320;
  const H = 110;
  const pad = { l: 6, r: 6, t: 14, b: 20 };
  const values = points.map((p) => p.v);
  let lo = values.reduce((m, v) => Math.min(m, v), Infinity);
  let hi = values.reduce((m, v) => Math.max(m, v), -Infinity);
  const budget = e.budget?.maxSize;
  // The budget joins the scale only when it is close enough to matter; a far-off one would
  // flatten the line that shows the trend.
  const showBudget = budget !== undefined && budget <= hi * 1.35 && budget >= lo * 0.65;
  if (showBudget) {
    lo = Math.min(lo, budget);
    hi = Math.max(hi, budget);
  }
  const span = hi - lo || Math.max(hi * 0.1, 1);
  lo -= span * 0.12;
  hi += span * 0.12;
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? 1;
  const x = (t: number) => (points.length < 2 || t1 === t0 ? W / 2 : pad.l + ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const coords = points.map((p) => `${n(x(p.t))},${n(y(p.v))}`);
  const state = barState(e);
  const out: string[] = [`<svg class="trend ${state}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Size of ${esc(e.reference)} over time">`];
  out.push(`<defs><linearGradient id="fill${index}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" class="stop-top"/><stop offset="1" class="stop-bottom"/></linearGradient></defs>`);
  out.push(`<line class="axis" x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}"/>`);
  if (showBudget && budget !== undefined) {
    out.push(`<line class="budget" x1="${pad.l}" x2="${W - pad.r}" y1="${n(y(budget))}" y2="${n(y(budget))}"/>`);
    out.push(`<text class="budget-label" x="${W - pad.r}" y="${n(y(budget) - 4)}" text-anchor="end">budget ${esc(formatBytes(budget, units))}</text>`);
  }
  if (points.length > 1) {
    out.push(`<path class="area" fill="url(#fill${index})" d="M${coords[0]} L${coords.slice(1).join(' L')} L${n(x(t1))},${H - pad.b} L${n(x(t0))},${H - pad.b} Z"/>`);
    out.push(`<polyline class="line" points="${coords.join(' ')}"/>`);
  }
  points.forEach((p, i) => {
    const last = i === points.length - 1;
    out.push(`<circle class="dot${last ? ' last' : ''}" cx="${n(x(p.t))}" cy="${n(y(p.v))}" r="${last ? 4 : 2.5}"><title>${esc(dateTimeText(new Date(p.t).toISOString()))}: ${esc(formatBytes(p.v, units))}</title></circle>`);
  });
  if (points.length > 1) {
    // Within two days the time of day tells the runs apart; beyond that, the date.
    const label = (t: number) => (t1 - t0 < 2 * 86_400_000 ? new Date(t).toISOString().slice(11, 16) : shortDate(new Date(t).toISOString()));
    out.push(`<text class="tick" x="${pad.l}" y="${H - 5}">${esc(label(t0))}</text>`);
    out.push(`<text class="tick" x="${W - pad.r}" y="${H - 5}" text-anchor="end">${esc(label(t1))}</text>`);
  } else {
    out.push(`<text class="tick" x="${W / 2}" y="${H - 5}" text-anchor="middle">first measurement</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

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
        `<td class="ref" title="${esc(e.name)}">${breakable(e.reference)}<div class="sub" title="${esc(e.manifestDigest)}">${esc(e.manifestDigest.replace(/^sha256:/, '').slice(0, 12))} · ${e.layers.length} layer${e.layers.length === 1 ? '' : 's'}</div></td>`,
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

const CSS = `
:root{--bg:#f4f6fa;--panel:#fff;--text:#0f172a;--muted:#64748b;--line:#e2e8f0;--track:#eef2f7;--ok:#3b82f6;--ok-soft:rgba(59,130,246,.22);--over:#e11d48;--warn:#f59e0b;--good:#059669;--info:#7c3aed;--shadow:0 1px 2px rgba(15,23,42,.06),0 4px 16px rgba(15,23,42,.06)}
@media (prefers-color-scheme:dark){:root{--bg:#0b1120;--panel:#111a2e;--text:#e2e8f0;--muted:#94a3b8;--line:#23304a;--track:#1a2540;--ok:#60a5fa;--ok-soft:rgba(96,165,250,.25);--shadow:none}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1180px;margin:0 auto;padding:32px 24px 48px}
header h1{margin:0 0 4px;font-size:26px;letter-spacing:-.02em}
.meta,.muted{color:var(--muted)}
.meta{margin:0 0 24px}
.cards{display:flex;flex-wrap:wrap;gap:14px;margin-bottom:22px}
.nobr{white-space:nowrap}
.card{flex:1 1 170px;max-width:280px;background:var(--panel);border-radius:12px;padding:14px 16px;box-shadow:var(--shadow);border-top:3px solid var(--line)}
.card.bad{border-top-color:var(--over)}.card.good{border-top-color:var(--good)}.card.warn{border-top-color:var(--warn)}.card.info{border-top-color:var(--info)}
.card-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.card-value{font-size:28px;font-weight:650;letter-spacing:-.02em;font-variant-numeric:tabular-nums}
.card.bad .card-value{color:var(--over)}
.card-note{color:var(--muted);font-size:12.5px}
.panel{background:var(--panel);border-radius:12px;padding:18px 20px 20px;box-shadow:var(--shadow);margin-bottom:22px}
.panel h2{font-size:16px;margin:0 0 12px}
svg{display:block;width:100%;height:auto;font-family:inherit}
.bars .grid{stroke:var(--line);stroke-width:1}
.tick{fill:var(--muted);font-size:11px}
.bars .label{fill:var(--text);font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
.bars .value{fill:var(--text);font-size:13px;font-weight:600;font-variant-numeric:tabular-nums}
.bars .value.over{fill:var(--over)}
.track{fill:var(--track)}
.bar.ok{fill:var(--ok)}.bar.over{fill:var(--over)}.bar.growth{fill:var(--warn)}
.bars .row:hover .track{fill:var(--line)}
.prev{stroke:var(--text);stroke-width:2;opacity:.55}
.budget{stroke:var(--text);stroke-width:2;stroke-dasharray:4 3}
.legend{display:flex;flex-wrap:wrap;gap:16px;margin-top:10px;color:var(--muted);font-size:12.5px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.legend i.ok{background:var(--ok)}.legend i.over{background:var(--over)}.legend i.growth{background:var(--warn)}
.legend i.budget{width:0;height:14px;border-left:2px dashed var(--text);border-radius:0}
.legend i.prev{width:0;height:10px;border-left:2px solid var(--text);opacity:.55;border-radius:0}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:8px 9px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;cursor:pointer;user-select:none}
th:hover{color:var(--text)}
th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
th[aria-sort=descending]::after{content:" ▼";font-size:10px}
tbody tr:hover{background:var(--track)}
td.num{text-align:right}
td.ref{font-weight:550;white-space:normal;overflow-wrap:break-word;min-width:14em}
td.ref .sub{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);font-weight:400;margin-top:1px}
td.size{font-weight:650}
tr.over td.size{color:var(--over)}
td.up{color:var(--over)}td.down{color:var(--good)}td.same{color:var(--muted)}
td.error{color:var(--over);white-space:normal}
.pct{display:inline-block;min-width:3.2em;color:var(--muted)}.pct.over{color:var(--over);font-weight:600}
.meter{display:inline-block;width:54px;height:6px;border-radius:3px;background:var(--track);vertical-align:middle;overflow:hidden}
.meter .fill{display:block;height:100%;background:var(--ok)}
.meter .fill.over{background:var(--over)}.meter .fill.growth{background:var(--warn)}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:600;line-height:18px}
.badge.over,.badge.failed{background:rgba(225,29,72,.12);color:var(--over)}
.badge.growth{background:rgba(245,158,11,.16);color:#b45309}
.badge.rebuilt{background:rgba(124,58,237,.12);color:var(--info)}
.badge.new{background:var(--ok-soft);color:var(--ok)}
.badge.ok{background:rgba(5,150,105,.12);color:var(--good)}
.trend-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
.trend-card{margin:0;border:1px solid var(--line);border-radius:10px;padding:12px 14px 8px}
.trend-card.over{border-color:rgba(225,29,72,.45)}
figcaption{display:flex;justify-content:space-between;gap:8px;font-weight:600}
.trend-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.trend-platform{color:var(--muted);font-weight:400;font-size:12px;white-space:nowrap}
.trend-figures{margin:2px 0 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.since{color:var(--muted);font-size:12px}
.trend-size{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
.delta{font-size:12.5px;font-weight:600}.delta.up{color:var(--over)}.delta.down{color:var(--good)}.delta.same{color:var(--muted)}
.trend .line{fill:none;stroke:var(--ok);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.trend.over .line{stroke:var(--over)}.trend.growth .line{stroke:var(--warn)}
.trend .stop-top{stop-color:var(--ok);stop-opacity:.28}.trend .stop-bottom{stop-color:var(--ok);stop-opacity:0}
.trend.over .stop-top,.trend.over .stop-bottom{stop-color:var(--over)}.trend.growth .stop-top,.trend.growth .stop-bottom{stop-color:var(--warn)}
.trend .dot{fill:var(--panel);stroke:var(--ok);stroke-width:2}
.trend.over .dot{stroke:var(--over)}.trend.growth .dot{stroke:var(--warn)}
.trend .dot.last{fill:var(--ok)}.trend.over .dot.last{fill:var(--over)}.trend.growth .dot.last{fill:var(--warn)}
.trend .axis{stroke:var(--line)}
.trend .budget{stroke-width:1.5;opacity:.7}
.budget-label{fill:var(--muted);font-size:10.5px}
footer{color:var(--muted);font-size:12.5px;text-align:center}
@media print{body{background:#fff}.panel,.card{box-shadow:none;border:1px solid #ddd}}
`;

// Sorts the table on a header click (or Enter): numbers by data-sort, text alphabetically;
// cells without a value stay at the bottom in both directions.
const SCRIPT = `
for (const th of document.querySelectorAll('table.sortable th')) {
  th.tabIndex = 0;
  const sort = () => {
    const table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex, num = th.dataset.type === 'num';
    const asc = th.getAttribute('aria-sort') !== 'ascending';
    for (const o of table.tHead.rows[0].cells) o.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    const key = (tr) => { const c = tr.cells[Math.min(i, tr.cells.length - 1)]; const v = c.dataset.sort ?? c.textContent.trim(); return num ? (v === '' ? NaN : Number(v)) : v.toLowerCase(); };
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (num && Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (num && Number.isNaN(y)) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    for (const row of rows) body.appendChild(row);
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
}
`;

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
<style>${CSS}</style>
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
<script>${SCRIPT}</script>
</body>
</html>
`;
}
