/**
 * Platform strings, parsed, normalised and printed as `docker pull --platform` reads them
 * (github.com/containerd/platforms, platforms.go and database.go). Pure data: choosing an
 * index entry for a platform is platform-match.ts.
 *
 *   linux/arm64/v8   os/arch/variant
 *   arm64, linux     one word: a known OS takes the host's architecture, a known architecture
 *                    takes linux (docker's default OS, Docker Desktop included)
 *   windows(10.0.17763)/amd64, linux(+gpu)/amd64   OS version and OS features in parentheses
 */
import { UsageError } from '../errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  /** `os.features` (sorted, distinct once normalised). */
  osFeatures?: string[];
}

// From containerd/platforms database.go (isKnownOS, isKnownArch), itself from Go's syslist.
const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

const SPECIFIER_RE = /^[A-Za-z0-9_.-]+$/;
const OS_RE = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/**
 * containerd's normalizeArch, with one difference kept on purpose: arm64's default variant is
 * spelled `v8` (containerd spells it ""), because regsize prints normalised platforms and has
 * always printed `linux/arm64/v8`, as indexes do. Matching treats the two as one.
 */
export function normalizeArch(architecture: string, variant: string | undefined): { architecture: string; variant?: string } {
  let arch = architecture.toLowerCase();
  let v = (variant ?? '').toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (v === '' || v === '8' || v === 'v8' || v === 'v8.0') v = 'v8';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return { architecture: arch, ...(v ? { variant: v } : {}) };
}

export function normalizePlatform(p: Platform): Platform {
  const out: Platform = { os: normalizeOs(p.os), ...normalizeArch(p.architecture, p.variant) };
  if (p.osVersion) out.osVersion = p.osVersion;
  const features = [...new Set(p.osFeatures ?? [])].filter((f) => f !== '').sort();
  if (features.length > 0) out.osFeatures = features;
  return out;
}

/** containerd's encodeOSOption: the characters that would end the parenthesised part. */
function encodeOsOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function decodeOsOption(v: string, input: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    throw invalid(input, `bad percent-encoding in "${v}"`);
  }
}

/** `linux/arm64/v8`; with an OS version or features, containerd's FormatAll: `windows(10.0.17763)/amd64`. */
export function formatPlatform(p: Platform): string {
  let os = p.os;
  const features = [...new Set(p.osFeatures ?? [])].filter((f) => f !== '').sort();
  if (p.osVersion || features.length > 0) {
    os += `(${p.osVersion ? encodeOsOption(p.osVersion) : ''}${features.length ? `+${features.map(encodeOsOption).join('+')}` : ''})`;
  }
  return [os, p.architecture, p.variant].filter(Boolean).join('/');
}

function invalid(input: string, why: string): UsageError {
  return new UsageError('INVALID_INPUT', `invalid platform "${input}": ${why}; use os/arch[/variant] as docker does, e.g. linux/amd64, linux/arm64/v8, arm64, or "all"`);
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

/** Docker's default: linux on the host's architecture (Docker Desktop pulls linux images on macOS too). */
export function hostPlatform(): Platform {
  return normalizePlatform({ os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch });
}

/**
 * containerd's Parse. Spaces are not trimmed: a platform with spaces is refused, as docker
 * refuses it. Wildcards are refused, as containerd does not support them yet either.
 */
export function parsePlatform(input: string, host: Platform = hostPlatform()): Platform {
  if (input.includes('*')) throw invalid(input, 'wildcards are not supported');
  const parts = input.split('/');
  if (parts.length > 3) throw invalid(input, 'too many "/"-separated parts');
  const osPart = OS_RE.exec(parts[0] ?? '');
  if (!osPart) throw invalid(input, `"${parts[0]}" is not an OS (letters, digits, "_" and "-", optionally with "(version+feature)")`);
  for (const part of parts.slice(1)) {
    if (!SPECIFIER_RE.test(part)) throw invalid(input, `"${part}" is not an architecture or variant (letters, digits, "_", "." and "-")`);
  }
  const os = normalizeOs(osPart[1] as string);
  const osVersion = decodeOsOption(osPart[2] ?? '', input);
  const features: string[] = [];
  for (const raw of (osPart[3] ?? '').split('+').slice(1)) {
    if (raw.trim() === '') throw invalid(input, 'an empty OS feature');
    const f = decodeOsOption(raw.trim(), input);
    if (f) features.push(f);
  }
  const extras: Pick<Platform, 'osVersion' | 'osFeatures'> = { ...(osVersion ? { osVersion } : {}), ...(features.length ? { osFeatures: features } : {}) };

  if (parts.length === 1) {
    if (KNOWN_OS.has(os)) return { os, architecture: host.architecture, ...(host.variant && host.architecture === 'arm' ? { variant: host.variant } : {}), ...extras };
    const arch = normalizeArch(parts[0] as string, undefined);
    if (KNOWN_ARCH.has(arch.architecture)) return { os: host.os, ...arch };
    throw invalid(input, 'unknown operating system or architecture');
  }
  if (parts.length === 2) return { os, ...normalizeArch(parts[1] as string, undefined), ...extras };
  return { os, ...normalizeArch(parts[1] as string, parts[2]), ...extras };
}
