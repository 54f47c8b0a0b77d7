/**
 * Size budgets and growth alerts: pure arithmetic over bytes. A budget is a ceiling on the
 * compressed size (what a pull transfers); `--alert-growth` flags a jump between two runs.
 */
import { UsageError } from '../errors.js';
import type { Budget, Delta, HistoryPoint } from './model.js';

/** The budget of an image: its own maxSize, else the config default; null when neither is set. */
export function budgetFor(compressedSize: number, maxSize: number | undefined): Budget | null {
  if (maxSize === undefined) return null;
  return { maxSize, over: compressedSize > maxSize, headroom: maxSize - compressedSize };
}

/** "10%", "10" or "2.5%" -> percent (10, 10, 2.5). */
export function parseGrowthPercent(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) throw new UsageError('INVALID_INPUT', `invalid --alert-growth "${text}": give a percentage, e.g. 10%`);
  return Number(m[1]);
}

/** The change from an earlier measurement to `size`. */
export function deltaFrom(from: HistoryPoint, size: number): Delta {
  const bytes = size - from.compressedSize;
  return { from, bytes, percent: from.compressedSize === 0 ? null : Math.round((bytes / from.compressedSize) * 10_000) / 100 };
}

/** Grew by strictly more than `percent` (a 0-byte previous size that grew counts as a jump). */
export function isGrowthAlert(delta: Delta | null, percent: number): boolean {
  if (!delta || delta.bytes <= 0) return false;
  if (delta.percent === null) return true;
  return (delta.bytes / delta.from.compressedSize) * 100 > percent;
}
