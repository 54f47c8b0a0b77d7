/**
 * Platforms and choosing one from an index the way `docker pull` does (containerd's
 * platforms package): normalise names, default the arm variants, skip attestations.
 */
import { RegsizeError, UsageError } from '../errors.js';
import type { Descriptor, IndexManifest } from './manifest.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

/** containerd's normalisation: aliases, and the default variant of arm (v7) and arm64 (v8). */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  if (architecture === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (architecture === 'arm' && variant !== undefined && /^\d$/.test(variant)) variant = `v${variant}`;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => x === '')) {
    throw new UsageError(`invalid platform "${s}": use os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8, or "all"`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os, architecture, ...(variant ? { variant } : {}) };
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

/** Docker's default: linux on the host's architecture (Docker Desktop pulls linux images on macOS too). */
export function hostPlatform(): Platform {
  return normalizePlatform({ os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch });
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

function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && (x.variant ?? '') === (y.variant ?? '');
}

/** arm hosts run older arm variants too (containerd: v8 > v7 > v6 > v5), best first. */
function compatibleVariants(p: Platform): (string | undefined)[] {
  const n = normalizePlatform(p);
  if (n.architecture === 'arm') {
    const order = ['v8', 'v7', 'v6', 'v5'];
    const i = order.indexOf(n.variant ?? 'v7');
    return i === -1 ? [n.variant] : order.slice(i);
  }
  if (n.architecture === 'amd64' && n.variant) {
    const order = ['v4', 'v3', 'v2', undefined];
    const i = order.indexOf(n.variant);
    return i === -1 ? [n.variant] : order.slice(i);
  }
  return [n.variant];
}

export interface PlatformChoice {
  descriptor: Descriptor;
  /** Said to the user on stderr: why this entry, when there was a choice to make. */
  note?: string;
}

/**
 * Picks the entry `docker pull --platform` would pull: the best-matching variant, and of
 * several entries for the same platform (a gzip and a zstd variant pushed by
 * `podman manifest push --add-compression zstd`) the first one in index order, as containerd's
 * stable sort does.
 */
export function choosePlatform(index: IndexManifest, want: Platform, what: string): PlatformChoice {
  const entries = platformEntries(index);
  for (const variant of compatibleVariants(want)) {
    const target = { ...normalizePlatform(want), ...(variant ? { variant } : {}) };
    if (!variant) delete (target as Platform).variant;
    const matches = entries.filter((d) => samePlatform(d.platform as Platform, target));
    if (matches.length === 0) continue;
    const descriptor = matches[0] as Descriptor;
    const choice: PlatformChoice = { descriptor };
    if (matches.length > 1) {
      const kinds = matches.map((d) => (d.annotations?.['io.github.containers.compression.zstd'] === 'true' ? 'zstd' : 'gzip'));
      choice.note = `${what}: the index lists ${formatPlatform(target)} ${matches.length} times (${kinds.join(', ')}); using the first, ${descriptor.digest.slice(0, 19)}, as docker pull does`;
    }
    return choice;
  }
  const available = entries.map((d) => formatPlatform(d.platform as Platform));
  throw new RegsizeError(
    'PLATFORM_NOT_FOUND',
    `${what}: no ${formatPlatform(normalizePlatform(want))} image; available: ${available.length ? [...new Set(available)].join(', ') : 'none'} (use --platform)`,
  );
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
