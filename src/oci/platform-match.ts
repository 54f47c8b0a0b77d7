/**
 * Choosing an index entry for a platform the way `docker pull --platform` does: containerd's
 * `platforms.Only` (github.com/containerd/platforms compare.go, platforms.go and
 * platform_windows_compat.go), ported rule for rule so that regsize never sizes another image
 * than docker would pull.
 *
 *   1. The wanted platform becomes an ordered list of what a host of that platform runs
 *      (platformVector): amd64/v3 -> v2 -> v1 -> 386; arm/v7 -> v6 -> v5; arm64/v9.x ->
 *      v9.(x-1).. -> v8.(x+5).. -> arm/v8 -> arm/v7 ..
 *   2. An entry matches one of those when OS, architecture and variant agree after
 *      normalisation, a Windows OS version is compatible, and the entry's os.features are a
 *      subset of the wanted ones (so a plain linux/amd64 request never takes a featured entry).
 *   3. The earliest match in that list wins; between equals, the one with more os.features,
 *      then index order (containerd sorts stably).
 */
import { RegsizeError } from '../errors.js';
import type { Descriptor, IndexManifest } from './manifest.js';
import { formatPlatform, normalizePlatform, type Platform } from './platform.js';

/** containerd's arm64variantToVersion: which v8.x / v9.x a given arm64 variant also runs. */
const ARM64_VERSIONS: Record<string, { major: number[]; minor: number[] }> = {
  v8: { major: [8], minor: [0] },
  'v8.0': { major: [8], minor: [0] },
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => [`v8.${m}`, { major: [8], minor: [m] }])),
  v9: { major: [9, 8], minor: [0, 5] },
  'v9.0': { major: [9, 8], minor: [0, 5] },
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((m) => [`v9.${m}`, { major: [9, 8], minor: [m, Math.min(m + 5, 9)] }])),
};

/** What a host of platform `p` runs, best first (containerd's platformVector). */
export function platformVector(p: Platform): Platform[] {
  const n = normalizePlatform(p);
  const like = (architecture: string, variant?: string): Platform => normalizePlatform({ ...n, architecture, ...(variant ? { variant } : { variant: '' }) });
  const level = (v: string | undefined) => Number.parseInt((v ?? '').replace(/^v/, ''), 10);
  switch (n.architecture) {
    case 'amd64': {
      const out = [n];
      for (let v = level(n.variant) - 1; v >= 1; v--) out.push(like('amd64', `v${v}`));
      out.push(like('386'));
      return out;
    }
    case 'arm': {
      const out = [n];
      for (let v = level(n.variant) - 1; v >= 5; v--) out.push(like('arm', `v${v}`));
      return out;
    }
    case 'arm64': {
      const variant = n.variant ?? 'v8';
      const versions = ARM64_VERSIONS[variant];
      if (!versions) return [];
      const out: Platform[] = [];
      versions.major.forEach((major, i) => {
        for (let minor = versions.minor[i] as number; minor >= 0; minor--) out.push(like('arm64', minor === 0 ? `v${major}` : `v${major}.${minor}`));
      });
      // Every arm64 v8.x and v9.x host also runs 32-bit arm up to v8.
      return [...out, ...platformVector(like('arm', 'v8'))];
    }
    default:
      return [n];
  }
}

interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

function windowsVersion(v: string | undefined): WindowsVersion | undefined {
  const parts = (v ?? '').split('.');
  if (parts.length < 3) return undefined;
  const [major, minor, build] = parts.slice(0, 3).map((x) => (/^\d+$/.test(x) ? Number(x) : NaN)) as [number, number, number];
  if (!(major <= 255 && minor <= 255 && build <= 65535)) return undefined;
  return { major, minor, build };
}

// Windows Server 2022 and 2025 (containerd's compatLTSCReleases): stable-ABI releases whose
// hosts also run the previous LTSC's containers.
const LTSC2022 = 20348;
const COMPAT_LTSC = [LTSC2022, 26100];

/** Whether a Windows host of version `host` runs a container of version `ctr`. */
function windowsCompatible(host: WindowsVersion, ctr: WindowsVersion): boolean {
  if (host.major !== ctr.major || host.minor !== ctr.minor) return false;
  if (host.build < LTSC2022) return host.build === ctr.build;
  let supported = LTSC2022;
  for (let i = COMPAT_LTSC.length - 1; i >= 0; i--) {
    if (host.build > (COMPAT_LTSC[i] as number)) {
      supported = COMPAT_LTSC[i] as number;
      break;
    }
  }
  return supported <= ctr.build && ctr.build <= host.build;
}

/** containerd's matcher: does an entry of platform `candidate` satisfy `want` (already one vector entry)? */
function matchesOne(want: Platform, candidate: Platform): boolean {
  const w = normalizePlatform(want);
  const c = normalizePlatform(candidate);
  // Windows hosts ignore the win32k feature when matching (windowsStripFeaturesMatcher).
  const features = (c.osFeatures ?? []).filter((f) => !(want.os === 'windows' && f === 'win32k'));
  if (w.os !== c.os || w.architecture !== c.architecture || (w.variant ?? '') !== (c.variant ?? '')) return false;
  if (want.os === 'windows') {
    const host = windowsVersion(want.osVersion);
    const ctr = candidate.osVersion ? windowsVersion(candidate.osVersion) : undefined;
    if (host && candidate.osVersion && !(ctr && windowsCompatible(host, ctr))) return false;
  }
  if (features.length === 0) return true;
  const wanted = new Set(w.osFeatures ?? []);
  return features.every((f) => wanted.has(f));
}

/** A comparator ordering platforms by preference for `want` (containerd's Ordered(...).Less). */
export function platformPreference(want: Platform): (a: Platform, b: Platform) => number {
  const vector = platformVector(want);
  const less = (p1: Platform, p2: Platform): boolean => {
    for (const m of vector) {
      const p1m = matchesOne(m, p1);
      const p2m = matchesOne(m, p2);
      if (p1m && !p2m) return true;
      if (p1m || p2m) return p1m && p2m && (p1.osFeatures?.length ?? 0) > (p2.osFeatures?.length ?? 0);
    }
    if ((p1.osFeatures?.length ?? 0) > 0 || (p2.osFeatures?.length ?? 0) > 0) return less(withoutFeatures(p1), withoutFeatures(p2));
    return false;
  };
  return (a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
}

function withoutFeatures(p: Platform): Platform {
  const { osFeatures: _features, ...rest } = p;
  return rest;
}

/**
 * A Windows host picks the newest OS version it runs (containerd's windowsMatchComparer, which
 * docker uses on Windows hosts: the only hosts that pull Windows images).
 */
function newerWindows(want: Platform, a: Descriptor, b: Descriptor): number {
  if (want.os !== 'windows') return 0;
  const va = a.platform?.osVersion ?? '';
  const vb = b.platform?.osVersion ?? '';
  return va === vb ? 0 : va > vb ? -1 : 1;
}

/** The position in `want`'s vector that `candidate` matches first, or -1 when a `want` host cannot run it. */
function rank(vector: Platform[], candidate: Platform): number {
  return vector.findIndex((m) => matchesOne(m, candidate));
}

/** Whether a host of platform `want` runs an image of platform `candidate`, as docker decides it. */
export function platformMatches(want: Platform, candidate: Platform): boolean {
  return rank(platformVector(want), candidate) !== -1;
}

/** Attestation manifests (BuildKit provenance/SBOM) are listed in indexes but are not platforms. */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown')
  );
}

/** The entries of an index that are runnable platforms, attestations removed. */
export function platformEntries(index: IndexManifest): Descriptor[] {
  return index.manifests.filter((d) => d.platform !== undefined && !isAttestation(d));
}

export interface PlatformChoice {
  descriptor: Descriptor;
  /** Said to the user on stderr: why this entry, when there was a choice to make. */
  note?: string;
}

/**
 * Picks the entry `docker pull --platform` would pull (steps 1-3 above). Of several entries for
 * the same platform (a gzip and a zstd variant pushed by `podman manifest push --add-compression
 * zstd`) the first one in index order is taken, as containerd's stable sort does, and said.
 */
export function choosePlatform(index: IndexManifest, want: Platform, what: string): PlatformChoice {
  const vector = platformVector(want);
  const entries = platformEntries(index);
  const ranked = entries
    .map((d, order) => ({ d, order, rank: rank(vector, d.platform as Platform), features: d.platform?.osFeatures?.length ?? 0 }))
    .filter((e) => e.rank !== -1)
    .sort((a, b) => a.rank - b.rank || b.features - a.features || newerWindows(want, a.d, b.d) || a.order - b.order);
  const best = ranked[0];
  const wanted = formatPlatform(normalizePlatform(want));
  if (!best) {
    const available = [...new Set(entries.map((d) => formatPlatform(d.platform as Platform)))];
    const featured = entries.filter((d) => (d.platform?.osFeatures?.length ?? 0) > 0 && rank(vector, withoutFeatures(d.platform as Platform)) !== -1);
    const hint = featured.length ? `; ${formatPlatform(featured[0]?.platform as Platform)} needs its OS features named, e.g. --platform '${formatPlatform(featured[0]?.platform as Platform)}'` : ' (use --platform)';
    throw new RegsizeError('PLATFORM_NOT_FOUND', `${what}: no ${wanted} image; available: ${available.length ? available.join(', ') : 'none'}${hint}`);
  }
  const chosen = formatPlatform(normalizePlatform(best.d.platform as Platform));
  const same = ranked.filter((e) => e.rank === best.rank && e.features === best.features && formatPlatform(normalizePlatform(e.d.platform as Platform)) === chosen);
  const notes: string[] = [];
  if (best.rank > 0) notes.push(`${what}: no ${wanted} image; using ${formatPlatform(best.d.platform as Platform)}, which a ${wanted} host runs, as docker pull does`);
  if (same.length > 1) {
    const kinds = same.map((e) => (e.d.annotations?.['io.github.containers.compression.zstd'] === 'true' ? 'zstd' : 'gzip'));
    notes.push(`${what}: the index lists ${chosen} ${same.length} times (${kinds.join(', ')}); using the first, ${best.d.digest.slice(0, 19)}, as docker pull does`);
  }
  return { descriptor: best.d, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/** One entry per distinct platform, in index order (duplicates resolved as choosePlatform does). */
export function allPlatforms(index: IndexManifest): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const d of platformEntries(index)) {
    const key = formatPlatform(normalizePlatform(d.platform as Platform));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
