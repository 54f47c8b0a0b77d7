/**
 * The HTML report's charts, inline SVG styled by the page's CSS (./report.css): a bar per image
 * with its budget and last-run size marked, and a trend chart per image from the history.
 */
import type { ReportImage } from '../../report/model.js';
import { formatBytes, type Units } from '../../units.js';
import { budgetText, dateTimeText } from '../report-cells.js';
import { esc } from './escape.js';

/** Long references keep their start (registry) and their end (repository and tag). */
export function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
}

/** "ghcr.io/org/app:1" -> "org/app:1": small cards name the image, the title keeps the host. */
export function withoutHost(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' ? ref.slice(slash + 1) : ref;
}

/** Round axis steps (1, 2, 2.5, 5 x 10^n) covering 0..max in about `count` steps. */
export function niceTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  // Ticks are whole bytes: a step is at least 1, and 2.5 only where it stays whole.
  const pow = 10 ** Math.max(0, Math.floor(Math.log10(raw)));
  const step = ((pow >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]).find((m) => m * pow >= raw) ?? 10) * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Math.round(v));
  return ticks;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "29 Nov" (UTC): day-month order is unambiguous to every reader. */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

function n(v: number): string {
  return Number(v.toFixed(1)).toString();
}

/** The state that colours an image's bar: the most serious mark it has. */
export function barState(e: ReportImage): 'over' | 'growth' | 'ok' {
  if (e.budget?.over) return 'over';
  if (e.history?.growthAlert) return 'growth';
  return 'ok';
}

/** Longer references are shortened in the middle (the whole name is in the label's tooltip). */
const LABEL_CHARS = 40;
/** A monospace character's advance, in em: 0.6 in Menlo, DejaVu Sans Mono, Liberation Mono; less in Consolas. */
const LABEL_EM = 0.62;

export function barChart(images: ReportImage[], units: Units): string {
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

export function trendChart(e: ReportImage, index: number, units: Units): string {
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
