/**
 * `regsize report history IMAGE`: one image's recorded sizes over time, each with the change
 * from the run before it (per platform) and whether the image was rebuilt in between.
 */
import { UsageError } from '../errors.js';
import { formatPlatform, normalizePlatform, parsePlatform } from '../oci/platform.js';
import { formatReference, type Reference } from '../reference/reference.js';
import { deltaFrom } from './budget.js';
import type { History } from './size-history-db.js';

export interface TimelinePoint {
  at: string;
  platform: string;
  digest: string;
  manifestDigest: string;
  compressedSize: number;
  /** The budget the run held it to, if any. */
  maxSize: number | null;
  /** Change from the previous recorded run of the same platform; null for the first. */
  change: { bytes: number; percent: number | null } | null;
  rebuilt: boolean;
}

export interface ImageHistory {
  /** The normalised name the history is keyed by (docker.io/library/python:3.12-slim). */
  image: string;
  history: string;
  points: TimelinePoint[];
}

export function imageHistory(h: History, ref: Reference, o: { platform?: string | undefined; fromMs?: number | undefined } = {}): ImageHistory {
  const image = formatReference(ref);
  // The change of the first point shown is still counted from the run before it.
  const recorded = h.series(image);
  const wanted = o.platform === undefined ? undefined : formatPlatform(normalizePlatform(parsePlatform(o.platform)));
  // Matched as containerd would: `--platform linux/arm64` finds the rows recorded as linux/arm64/v8.
  const all = wanted === undefined ? recorded : recorded.filter((p) => platformKey(p.platform) === wanted);
  const last = new Map<string, (typeof all)[number]>();
  const points: TimelinePoint[] = [];
  for (const p of all) {
    const prev = last.get(p.platform);
    last.set(p.platform, p);
    if (o.fromMs !== undefined && p.at < o.fromMs) continue;
    const d = prev ? deltaFrom({ at: '', digest: prev.digest, manifestDigest: prev.manifestDigest, compressedSize: prev.compressedSize }, p.compressedSize) : null;
    points.push({
      at: new Date(p.at).toISOString(),
      platform: p.platform,
      digest: p.digest,
      manifestDigest: p.manifestDigest,
      compressedSize: p.compressedSize,
      maxSize: p.maxSize,
      change: d ? { bytes: d.bytes, percent: d.percent } : null,
      rebuilt: prev !== undefined && prev.manifestDigest !== p.manifestDigest,
    });
  }
  if (all.length === 0 && recorded.length > 0) {
    // The image is there, on other platforms: name those, not the image (it was asked for).
    const others = [...new Set(recorded.map((p) => p.platform))];
    throw new UsageError('INVALID_INPUT', `no recorded sizes of ${image} for ${o.platform} in ${h.path}; it was recorded for ${others.join(', ')}: pass one of those to --platform, or leave --platform out`);
  }
  if (all.length === 0) {
    const known = [...new Set(h.images().map((i) => i.image))];
    const hint = known.length
      ? `; it has ${known.slice(0, 8).join(', ')}${known.length > 8 ? `, and ${known.length - 8} more` : ''}`
      : '; it is empty (run regsize report first)';
    throw new UsageError('INVALID_INPUT', `no recorded sizes of ${image} in ${h.path}${hint}`);
  }
  return { image, history: h.path, points };
}

/** A platform as containerd normalises it; a recorded string that does not parse is kept as-is. */
function platformKey(platform: string): string {
  try {
    return formatPlatform(normalizePlatform(parsePlatform(platform)));
  } catch {
    return platform;
  }
}
