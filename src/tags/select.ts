/**
 * Which tags of a repository get sized, decided from the tag list alone, before any manifest
 * is asked for: hide signature and attestation tags, apply --filter/--regex, then --limit.
 */
import picomatch from 'picomatch';
import { UsageError } from '../errors.js';

/**
 * Tags that name another manifest by digest instead of a release:
 *   sha256-<hex>.sig / .att / .sbom   cosign signatures, attestations, SBOMs
 *   sha256-<hex>                       the OCI referrers tag schema (distribution-spec, "Referrers Tag Schema")
 * https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
const SIGNATURE_TAG = /^sha(256|512)-[a-f0-9]{64,128}(\.[a-z0-9]+)?$/;

export function isSignatureTag(tag: string): boolean {
  return SIGNATURE_TAG.test(tag);
}

/**
 * Version order: runs of digits compare as numbers, everything else as text, so 3.9 < 3.10 <
 * 3.12 < 3.12-slim < 3.12.1. A number sorts before text at the same position (3.12 before
 * latest), and a tag that is a prefix of another comes first.
 */
export function compareVersions(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? [];
  const y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    const pn = /^\d/.test(p);
    const qn = /^\d/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d !== 0) return d;
      return p.length - q.length; // 1 before 01
    }
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** A tag that reads as a version: digits first (an optional "v"), dot-separated numbers, then any suffix. */
const VERSION_TAG = /^v?(\d+(?:\.\d+)*)(.*)$/;
/** A suffix that marks a release not yet made: 1.2.0-rc1, 2.0.0-beta.2, 3.13.0a1, 1.0-dev. */
const PRE_RELEASE = /^[-_.+]?(alpha|beta|rc|pre|preview|dev|snapshot|nightly|a(?=\d)|b(?=\d))/i;

/**
 * How --limit ranks tags, lowest first (its N highest are sized):
 *  1. Version-like tags (1.19.2, v2.0, 3.12-slim) rank above every other tag (latest, slim,
 *     windowsservercore-ltsc2022, cmp-8): a word is never "the highest version".
 *  2. Among versions, the numbers compare one by one as numbers (1.19.2 > 1.9.10; 1.2 < 1.2.0).
 *  3. With equal numbers, a pre-release (-rc1, -beta.2, a1, -dev) ranks below the release and
 *     its variants (1.2.0-rc1 < 1.2.0, 1.2.0-slim); pre-releases and variants then compare in
 *     version order (rc1 < rc2, alpine < slim).
 * Everything else falls back to compareVersions.
 */
export function compareRank(a: string, b: string): number {
  const x = VERSION_TAG.exec(a);
  const y = VERSION_TAG.exec(b);
  if (!x || !y) return x ? 1 : y ? -1 : compareVersions(a, b);
  const xs = (x[1] as string).split('.').map(Number);
  const ys = (y[1] as string).split('.').map(Number);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) if (xs[i] !== ys[i]) return (xs[i] as number) - (ys[i] as number);
  if (xs.length !== ys.length) return xs.length - ys.length;
  const xPre = PRE_RELEASE.test(x[2] as string);
  const yPre = PRE_RELEASE.test(y[2] as string);
  if (xPre !== yPre) return xPre ? -1 : 1;
  return compareVersions(x[2] as string, y[2] as string) || compareVersions(a, b);
}

export interface SelectOptions {
  /** Globs (picomatch); a tag is kept when it matches any of them. */
  filter?: string[] | undefined;
  /** A JavaScript regular expression the tag must match (with --filter: both must match). */
  regex?: string | undefined;
  /** Keep only the N highest tags, ranked by compareRank. */
  limit?: number | undefined;
  /** Keep signature and attestation tags. @default false */
  allTags?: boolean;
}

export interface Selection {
  /** The tags to size, in version order. */
  tags: string[];
  /** Signature and attestation tags that matched the filters but were left out (0 with allTags). */
  hidden: number;
  /** Tags that passed the filters, before --limit. */
  matched: number;
}

/** Builds the tag predicate from --filter and --regex; a bad pattern is a usage error (exit 2). */
export function tagMatcher(options: Pick<SelectOptions, 'filter' | 'regex'>): (tag: string) => boolean {
  const tests: ((tag: string) => boolean)[] = [];
  if (options.filter?.length) {
    try {
      tests.push(picomatch(options.filter));
    } catch (e) {
      throw new UsageError('INVALID_INPUT', `invalid --filter ${options.filter.map((f) => JSON.stringify(f)).join(', ')}: ${(e as Error).message}; use a glob such as '3.12-*'`);
    }
  }
  if (options.regex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(options.regex);
    } catch (e) {
      throw new UsageError('INVALID_INPUT', `invalid --regex ${JSON.stringify(options.regex)}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}; use a JavaScript regular expression such as '^3\\.12-'`);
    }
    tests.push((tag) => re.test(tag));
  }
  return (tag) => tests.every((t) => t(tag));
}

/** `matches` is built by the caller when the patterns must be checked before any request. */
export function selectTags(all: string[], options: SelectOptions, matches = tagMatcher(options)): Selection {
  const unique = [...new Set(all)];
  const candidates = unique.filter(matches);
  const matched = (options.allTags ? candidates : candidates.filter((t) => !isSignatureTag(t))).sort(compareVersions);
  let tags = matched;
  if (options.limit !== undefined && matched.length > options.limit) {
    const highest = new Set([...matched].sort(compareRank).slice(-options.limit));
    tags = matched.filter((t) => highest.has(t));
  }
  return { tags, hidden: candidates.length - matched.length, matched: matched.length };
}
