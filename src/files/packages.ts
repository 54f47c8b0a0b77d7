/**
 * Installed packages, read from the package databases found in a layer's tar stream:
 *
 *   dpkg    /var/lib/dpkg/status: one stanza per package, `Installed-Size` in KiB (deb-control(5))
 *   apk     /lib/apk/db/installed: one record per package, `P:` name, `V:` version, `I:` bytes
 *   Python  `<name>-<version>.dist-info/RECORD`: a CSV of path,hash,size per installed file
 *   npm     `node_modules/<name>/package.json` (or `@scope/name`): the bytes are those under the
 *           package's folder in the final filesystem, counted later (src/files/filesystem.ts)
 *
 * Only these files' contents are buffered, each bounded (MAX_DB_BYTES); everything here is
 * untrusted text from the registry, parsed without eval and with every number checked.
 */
import { posix } from 'node:path';

export type PackageManager = 'dpkg' | 'apk' | 'python' | 'npm';

export interface ListedPackage {
  manager: PackageManager;
  name: string;
  version: string;
  /** Bytes, or null for npm (summed from the filesystem) or a size the database does not give. */
  size: number | null;
  /** The database file it came from (npm: the package.json; its folder is the package's). */
  source: string;
}

/** The most of one database file held in memory; a bigger one is reported, not parsed. */
export const MAX_DB_BYTES = 16 * 1024 * 1024;
/** A package.json needs only its name and version. */
export const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

const DPKG_STATUS = '/var/lib/dpkg/status';
const APK_INSTALLED = '/lib/apk/db/installed';
const NPM_PACKAGE_JSON = /\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/;
const DIST_INFO_RECORD = /\/([^/]+)\.dist-info\/RECORD$/;

/** Which database a path is, if any, and how much of it to buffer. */
export function packageDatabase(path: string): { kind: PackageManager; maxBytes: number } | undefined {
  if (path === DPKG_STATUS) return { kind: 'dpkg', maxBytes: MAX_DB_BYTES };
  if (path === APK_INSTALLED) return { kind: 'apk', maxBytes: MAX_DB_BYTES };
  if (DIST_INFO_RECORD.test(path)) return { kind: 'python', maxBytes: MAX_DB_BYTES };
  // A package's own nested test fixtures are not installed packages.
  if (NPM_PACKAGE_JSON.test(path) && !path.includes('/node_modules/.')) return { kind: 'npm', maxBytes: MAX_PACKAGE_JSON_BYTES };
  return undefined;
}

const safeInt = (text: string | undefined): number | null => {
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
};

/** Stanzas of `Key: value` lines separated by blank lines (continuation lines start with a space). */
function stanzas(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.size) out.push(cur);
      cur = new Map();
      continue;
    }
    if (/^\s/.test(line)) continue;
    const i = line.indexOf(':');
    if (i > 0) cur.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  if (cur.size) out.push(cur);
  return out;
}

export function parseDpkgStatus(text: string, source = DPKG_STATUS): ListedPackage[] {
  const out: ListedPackage[] = [];
  for (const s of stanzas(text)) {
    const name = s.get('Package');
    // Only what is installed: "deinstall ok config-files" leaves a stanza behind.
    if (!name || !/\binstalled$/.test(s.get('Status') ?? '')) continue;
    const kib = safeInt(s.get('Installed-Size'));
    out.push({ manager: 'dpkg', name, version: s.get('Version') ?? '', size: kib === null ? null : kib * 1024, source });
  }
  return out;
}

export function parseApkInstalled(text: string, source = APK_INSTALLED): ListedPackage[] {
  const out: ListedPackage[] = [];
  for (const record of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of record.split('\n')) if (line[1] === ':') fields.set(line[0] as string, line.slice(2));
    const name = fields.get('P');
    if (!name) continue;
    out.push({ manager: 'apk', name, version: fields.get('V') ?? '', size: safeInt(fields.get('I')), source });
  }
  return out;
}

/**
 * A wheel's RECORD (PEP 376/627): `path,sha256=...,size`; its own line and .pyc files have no
 * size. The name and version come from the folder, `<name>-<version>.dist-info`.
 */
export function parseDistInfoRecord(text: string, source: string): ListedPackage[] {
  const m = DIST_INFO_RECORD.exec(source);
  if (!m) return [];
  const stem = m[1] as string;
  const dash = stem.indexOf('-');
  const name = dash === -1 ? stem : stem.slice(0, dash);
  const version = dash === -1 ? '' : stem.slice(dash + 1);
  let size = 0;
  for (const line of text.split('\n')) {
    // The path may be quoted and hold commas; the size is always the last field.
    const n = safeInt(line.slice(line.lastIndexOf(',') + 1));
    if (n !== null) size += n;
  }
  return [{ manager: 'python', name, version, size, source }];
}

export function parsePackageJson(text: string, source: string): ListedPackage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object') return [];
  const { name, version } = doc as { name?: unknown; version?: unknown };
  const folder = NPM_PACKAGE_JSON.exec(source)?.[1] ?? '';
  return [{ manager: 'npm', name: typeof name === 'string' && name ? name : folder, version: typeof version === 'string' ? version : '', size: null, source }];
}

export function parsePackageDatabase(kind: PackageManager, text: string, source: string): ListedPackage[] {
  switch (kind) {
    case 'dpkg':
      return parseDpkgStatus(text, source);
    case 'apk':
      return parseApkInstalled(text, source);
    case 'python':
      return parseDistInfoRecord(text, source);
    case 'npm':
      return parsePackageJson(text, source);
  }
}

/** An npm package's folder: what its size is summed over. */
export function npmPackageDir(source: string): string {
  return posix.dirname(source);
}
