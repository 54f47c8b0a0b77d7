/**
 * Layers for the `files` tests: tar bytes built here (test/helpers/images.ts for plain files,
 * tar-stream's pack for links), and a LayerReader over bytes in memory, as a local source
 * would hand them over.
 */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { LayerBlob, LayerReader } from '../../src/oci/layer-reader.js';
import { MT } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';

export type PackEntry = { name: string; content?: string | Buffer; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string };

/** A tar built by tar-stream's pack (symlinks, hard links, any name). */
export async function packTar(entries: PackEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    const content = Buffer.from(e.content ?? '');
    await new Promise<void>((resolve, reject) =>
      p.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}), ...(e.type === 'file' || !e.type ? { size: content.length } : {}) }, e.type === 'file' || !e.type ? content : '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** A LayerReader over blobs held in memory, handed out in small chunks; counts what it served. */
export function memoryReader(blobs: Map<string, Buffer>, chunk = 16 * 1024): LayerReader & { served: number } {
  const r = {
    served: 0,
    async *openLayer(layer: LayerBlob): AsyncIterable<Uint8Array> {
      const b = blobs.get(layer.digest);
      if (!b) throw new Error(`no blob ${layer.digest}`);
      for (let i = 0; i < b.length; i += chunk) {
        r.served += Math.min(chunk, b.length - i);
        yield b.subarray(i, i + chunk);
      }
    },
  };
  return r;
}

export function gzipBlob(tar: Buffer): { blob: Buffer; layer: LayerBlob } {
  const blob = gzipSync(tar);
  return { blob, layer: { digest: sha256(blob), mediaType: MT.OCI_LAYER_GZIP, size: blob.length } };
}

/** Rewrites the size field of the tar header at `offset` in base-256 (how tar writes sizes past 8 GiB). */
export function forgeSize(tar: Buffer, offset: number, size: number): Buffer {
  const t = Buffer.from(tar);
  const field = Buffer.alloc(12);
  field[0] = 0x80;
  field.writeBigUInt64BE(BigInt(size), 4);
  field.copy(t, offset + 124);
  t.fill(' ', offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i++) sum += t[i] as number;
  t.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, offset + 148, 'latin1');
  return t;
}
