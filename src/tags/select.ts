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

export interface SelectOptions {
  /** Globs (picomatch); a tag is kept when it matches any of them. */
  filter?: string[] | undefined;
  /** A JavaScript regular expression the tag must match (with --filter: both must match). */
  regex?: string | undefined;
  /** Keep only the N highest tags in version order. */
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
      throw new UsageError(`invalid --filter ${options.filter.map((f) => JSON.stringify(f)).join(', ')}: ${(e as Error).message}; use a glob such as '3.12-*'`);
    }
  }
  if (options.regex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(options.regex);
    } catch (e) {
      throw new UsageError(`invalid --regex ${JSON.stringify(options.regex)}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}; use a JavaScript regular expression such as '^3\\.12-'`);
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
  const tags = options.limit !== undefined && matched.length > options.limit ? matched.slice(matched.length - options.limit) : matched;
  return { tags, hidden: candidates.length - matched.length, matched: matched.length };
}
