/**
 * Streaming decompression of layer blobs, shared by `--exact` (which counts the output) and
 * `regsize files` (which parses it as a tar): gzip through node:zlib, zstd through fzstd,
 * and a plain tar passed through. Nothing is held beyond what the decompressor buffers; each
 * `write` is awaited, so a slow consumer slows the producer.
 */
import { createGunzip } from 'node:zlib';
import { RegsizeError } from '../errors.js';
import type { LayerCompression } from '../oci/media-types.js';
import { ZstdWindowGuard } from './zstd-frame.js';

/** A compression regsize can undo (layerCompression() of a layer media type, 'unknown' aside). */
export type LayerCompressionKind = Exclude<LayerCompression, 'unknown'>;

/** Receives compressed bytes; `onData` gets the decompressed output, in order. */
export interface DecompressSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes the decompressor (its last output reaches `onData` before this resolves). */
  end(): Promise<void>;
}

export function corruptLayer(digest: string, kind: string, e: unknown): RegsizeError {
  return new RegsizeError('REGISTRY_ERROR', `layer ${digest} is not valid ${kind} data: ${(e as Error)?.message ?? String(e)}`);
}

/** fzstd is only needed for zstd layers: loaded then, not at start-up. */
let fzstd: typeof import('fzstd') | undefined;
export async function loadZstd(): Promise<void> {
  fzstd ??= await import('fzstd');
}

export function gunzipSink(digest: string, onData: (chunk: Uint8Array) => void): DecompressSink {
  // 128 KiB output chunks instead of zlib's 16 KiB: a layer's tar reaches its reader in an
  // eighth of the callbacks, which were a third of `files`' main-thread time (bench/files.ts:
  // 2.64x tar -tzvf before, 1.1-1.4x after; 256 KiB was no faster and held more memory).
  const gz = createGunzip({ chunkSize: 128 * 1024 });
  let failure: unknown;
  gz.on('data', (c: Buffer) => onData(c));
  gz.on('error', (e) => (failure = e));
  const settled = (event: string) =>
    new Promise<void>((resolve) => {
      const done = () => {
        gz.off(event, done);
        gz.off('error', done);
        gz.off('close', done);
        resolve();
      };
      gz.once(event, done);
      gz.once('error', done);
      gz.once('close', done);
    });
  return {
    async write(chunk) {
      if (failure) throw corruptLayer(digest, 'gzip', failure);
      if (!gz.write(chunk)) await settled('drain');
      if (failure) throw corruptLayer(digest, 'gzip', failure);
    },
    async end() {
      if (failure) throw corruptLayer(digest, 'gzip', failure);
      const ended = settled('end');
      gz.end();
      await ended;
      if (failure) throw corruptLayer(digest, 'gzip', failure);
    },
  };
}

/**
 * Call loadZstd() first. Every frame's window is checked before fzstd allocates it (zstd-frame.ts): over 128 MiB, or
 * more than a blob of `blobSize` bytes could fill, and the layer is refused, not decompressed.
 */
export function zstdSink(digest: string, onData: (chunk: Uint8Array) => void, blobSize?: number): DecompressSink {
  if (!fzstd) throw new Error('zstdSink: loadZstd() was not awaited');
  const z = new fzstd.Decompress((chunk) => onData(chunk));
  const guard = new ZstdWindowGuard(digest, blobSize);
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      z.push(chunk, final);
    } catch (e) {
      throw corruptLayer(digest, 'zstd', e);
    }
  };
  return {
    write: async (chunk) => {
      guard.scan(chunk);
      push(chunk, false);
    },
    end: async () => push(new Uint8Array(0), true),
  };
}

/** The sink for a layer's compression (call loadZstd() first for zstd). */
export function decompressSink(compression: LayerCompressionKind, digest: string, onData: (chunk: Uint8Array) => void, blobSize?: number): DecompressSink {
  if (compression === 'gzip') return gunzipSink(digest, onData);
  if (compression === 'zstd') return zstdSink(digest, onData, blobSize);
  return { write: async (chunk) => onData(chunk), end: async () => {} };
}
