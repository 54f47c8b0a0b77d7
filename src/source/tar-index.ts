/**
 * The entries of a tar file and where their bytes start, from one pass over the 512-byte
 * headers (the contents are skipped with a seek, never read or unpacked): an archive of a few
 * GB is indexed by reading a few KB. Entries are then read by offset.
 *
 * Understands what Go's archive/tar (skopeo, podman, docker) writes: ustar names with their
 * prefix, PAX `path` and `size` records, GNU long names, base-256 sizes.
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 */
import { type FileHandle, open } from 'node:fs/promises';
import { RegsizeError } from '../errors.js';

export interface TarEntry {
  name: string;
  /** Offset of the entry's first content byte in the file. */
  offset: number;
  size: number;
}

const BLOCK = 512;
/** A PAX or GNU long-name record is a few hundred bytes; more is not an image archive. */
const MAX_META = 64 * 1024;
/** Image archives hold a few hundred files; a tar of millions is not one. */
const MAX_ENTRIES = 100_000;

function notATar(file: string, why: string): RegsizeError {
  return new RegsizeError('INVALID_INPUT', `${file} is not a tar archive (${why}); give the file docker save, podman save or skopeo copy wrote`);
}

function cString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul === -1 ? len : nul).toString('utf8');
}

function octalOrBase256(b: Buffer, start: number, len: number): number {
  const f = b.subarray(start, start + len);
  if ((f[0] as number) & 0x80) {
    let n = 0;
    for (let i = 1; i < len; i++) n = n * 256 + (f[i] as number);
    return n;
  }
  const text = cString(b, start, len).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  return sum === octalOrBase256(h, 148, 8);
}

function paxRecords(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const space = rest.indexOf(' ');
    const len = parseInt(rest.slice(0, space), 10);
    if (!(len > 0)) break;
    const record = Buffer.from(rest).subarray(0, len).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > space) out[record.slice(space + 1, eq)] = record.slice(eq + 1, -1);
    rest = Buffer.from(rest).subarray(len).toString('utf8');
  }
  return out;
}

/** Strips `./` and leading slashes, as image readers do for entries of a layout tar. */
export function normalizeEntryName(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '');
}

export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const fh = await open(file, 'r');
  try {
    return await walk(fh, file, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

async function walk(fh: FileHandle, file: string, fileSize: number): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const header = Buffer.alloc(BLOCK);
  let pos = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (pos + BLOCK <= fileSize) {
    const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK) throw notATar(file, 'cut short inside a header');
    if (header.every((b) => b === 0)) break; // end-of-archive blocks
    if (!checksumOk(header)) throw notATar(file, pos === 0 ? 'no tar header at the start' : `bad header checksum at byte ${pos}`);
    const type = String.fromCharCode(header[156] as number);
    const size = octalOrBase256(header, 124, 12);
    const dataAt = pos + BLOCK;
    if (!Number.isSafeInteger(size) || dataAt + size > fileSize) throw notATar(file, `an entry runs past the end of the file at byte ${pos}`);
    const readMeta = async () => {
      if (size > MAX_META) throw notATar(file, `a ${size}-byte metadata record`);
      const b = Buffer.alloc(size);
      await fh.read(b, 0, size, dataAt);
      return b;
    };
    if (type === 'x') {
      pax = paxRecords((await readMeta()).toString('utf8'));
    } else if (type === 'L') {
      longName = cString(await readMeta(), 0, size);
    } else if (type === 'g') {
      // global PAX header: nothing an image reader needs
    } else {
      const ustar = cString(header, 257, 6) === 'ustar';
      const prefix = ustar ? cString(header, 345, 155) : '';
      const short = cString(header, 0, 100);
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${short}` : short);
      const realSize = pax.size !== undefined ? Number(pax.size) : size;
      if (type === '0' || type === '\0' || type === '7') {
        if (entries.size >= MAX_ENTRIES) throw notATar(file, `more than ${MAX_ENTRIES} entries`);
        entries.set(normalizeEntryName(name), { name: normalizeEntryName(name), offset: dataAt, size: realSize });
      }
      pax = {};
      longName = undefined;
      pos = dataAt + Math.ceil(realSize / BLOCK) * BLOCK;
      continue;
    }
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
