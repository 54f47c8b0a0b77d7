/**
 * Relative size gates: "this image may grow by at most 5%, or 20 MB, over that one". Teams gate
 * a pull request on growth over the base branch's image far more often than on an absolute
 * size (issue #17), so `compare`, `diff` and `report` share this one pure check.
 * The limit is either a percentage of the earlier size or a number of bytes; a bare number is
 * refused, because "5" could mean either.
 */
import { UsageError } from '../errors.js';
import { formatBytes, parseSize, type Units } from '../units.js';

export type GrowthLimit = { kind: 'percent'; percent: number; text: string } | { kind: 'bytes'; bytes: number; text: string };

/** "5%", "2.5 %" -> a percentage; "20MB", "1.5GiB" -> bytes. `what` names the flag or key in messages. */
export function parseGrowthLimit(text: string, what = '--max-increase'): GrowthLimit {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (percent) return { kind: 'percent', percent: Number(percent[1]), text: text.trim() };
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(text)) {
    throw new UsageError('INVALID_INPUT', `invalid ${what} "${text}": give a unit, a percentage (5%) or a size (20MB), since a bare number could mean either`);
  }
  let bytes: number;
  try {
    bytes = parseSize(text, what);
  } catch {
    throw new UsageError('INVALID_INPUT', `invalid ${what} "${text}": give a percentage (e.g. 5%) or a size (e.g. 20MB, 50MiB)`);
  }
  return { kind: 'bytes', bytes, text: text.replace(/\s+/g, '') };
}

export interface GrowthCheck {
  /** The limit as written: "10%" or "20MB". */
  limit: string;
  /** Compressed bytes of the earlier image (the base, the first image, the previous run). */
  fromSize: number;
  toSize: number;
  /** toSize - fromSize: negative when the image shrank. */
  bytes: number;
  /** The change in percent of fromSize, two decimals; null when fromSize is 0. */
  percent: number | null;
  exceeded: boolean;
}

/**
 * Whether growing from `fromSize` to `toSize` goes strictly beyond the limit (growing by exactly
 * the limit passes). From 0 bytes, any growth exceeds a percentage limit: no percentage of
 * nothing allows it.
 */
export function checkGrowth(fromSize: number, toSize: number, limit: GrowthLimit): GrowthCheck {
  const bytes = toSize - fromSize;
  const percent = fromSize === 0 ? null : Math.round((bytes / fromSize) * 10_000) / 100;
  let exceeded: boolean;
  if (bytes <= 0) exceeded = false;
  else if (limit.kind === 'bytes') exceeded = bytes > limit.bytes;
  // Compared without dividing, so 10% of 1,000 bytes allows exactly 100 bytes.
  else exceeded = fromSize === 0 || bytes * 100 > limit.percent * fromSize;
  return { limit: limit.text, fromSize, toSize, bytes, percent, exceeded };
}

/**
 * The one line a failed gate prints:
 * "app:pr is 23.1 MB (+12.4%) larger than app:main; --max-increase 10%".
 */
export function growthMessage(image: string, base: string, check: GrowthCheck, units: Units, what = '--max-increase'): string {
  const pct = check.percent === null ? 'from nothing' : `+${formatGrowthPercent(check)}%`;
  return `${image} is ${formatBytes(check.bytes, units)} (${pct}) larger than ${base}; ${what} ${check.limit}`;
}

/** One decimal, or two when one would print the limit itself ("+10.0%" over a 10% limit). */
function formatGrowthPercent(check: GrowthCheck): string {
  const p = (check.bytes / check.fromSize) * 100;
  const one = p.toFixed(1);
  return check.limit === `${Number(one)}%` ? p.toFixed(2) : one;
}

/** A gate's name as the flag or config key that set it; JSON's `gates.failed` lists these. */
export type GateName = 'max-size' | 'max-increase' | 'maxSize' | 'maxGrowth';

export interface IncreaseCheck extends GrowthCheck {
  image: string;
  base: string;
  platform: string;
}

/** `gates` in the JSON of compare and diff, present when a gate flag was given. */
export interface GateReport {
  /** The gates that failed; empty when all passed. */
  failed: GateName[];
  /** With --max-increase: one check per image held to it. */
  increases?: IncreaseCheck[];
}

interface Sized {
  reference: string;
  platform: string;
  compressedSize: number;
}

/**
 * `compare --max-increase`: each image against the first one given, platform by platform (with
 * --platform all, linux/arm64 against linux/arm64); an image whose platform the first lacks is
 * held to the first's first platform. Nothing to check when the first image could not be sized.
 */
export function increasesOverFirst(first: Sized[], others: Sized[], limit: GrowthLimit): IncreaseCheck[] {
  const fallback = first[0];
  if (!fallback) return [];
  return others.map((o) => {
    const base = first.find((f) => f.platform === o.platform) ?? fallback;
    return { image: o.reference, base: base.reference, platform: o.platform, ...checkGrowth(base.compressedSize, o.compressedSize, limit) };
  });
}
