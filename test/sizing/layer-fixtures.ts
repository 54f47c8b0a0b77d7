/**
 * Fixtures for the layers/diff/--uncompressed tests: a zstd layer that records its content
 * size (the helpers' zstd, fed on stdin, does not), and a loopback proxy in front of the real
 * registry that counts the body bytes it passes on per request and can play a server that
 * ignores Range.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { type Layer, makeLayer, MT, type TarFile } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';
import { listenLoopback } from '../helpers/loopback.js';

/** A zstd layer whose frame header carries Frame_Content_Size (zstd told the input size). */
export function zstdLayerWithContentSize(files: TarFile[], createdBy?: string): Layer {
  const plain = makeLayer({ files, compression: 'none', ...(createdBy !== undefined ? { createdBy } : {}) });
  const r = spawnSync('zstd', ['-q', '-c', `--stream-size=${plain.tar.length}`], { input: plain.tar, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`zstd failed: ${r.error?.message ?? r.stderr.toString()}`);
  const blob = r.stdout;
  return { ...plain, blob, digest: sha256(blob), size: blob.length, compression: 'zstd', mediaType: MT.OCI_LAYER_ZSTD };
}

/** The same tar as `layer`, gzipped with other settings: another blob digest, the same diff_id. */
export function regzipped(layer: Layer): Layer {
  const r = spawnSync('gzip', ['-1', '-n', '-c'], { input: layer.tar, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`gzip failed: ${r.error?.message ?? r.stderr.toString()}`);
  const blob = r.stdout;
  return { ...layer, blob, digest: sha256(blob), size: blob.length, compression: 'gzip', mediaType: MT.OCI_LAYER_GZIP };
}

export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
  /** The Range header the client sent (before any stripping). */
  range: string | undefined;
  /** Body bytes the proxy passed on to the client. */
  bytes: number;
}

export interface ByteCountingProxy {
  host: string;
  requests: ProxiedRequest[];
  /** Requests for one blob (by digest). */
  blob(digest: string): ProxiedRequest[];
  /** Resolves when every response so far has finished or been abandoned by the client. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** A proxy to `targetUrl`; with ignoreRange it drops Range headers, so the registry sends whole blobs. */
export async function startByteCountingProxy(targetUrl: string, opts: { ignoreRange?: boolean } = {}): Promise<ByteCountingProxy> {
  const target = new URL(targetUrl);
  const requests: ProxiedRequest[] = [];
  const pending = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const rec: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '', status: 0, range: req.headers.range, bytes: 0 };
    requests.push(rec);
    const headers = { ...req.headers };
    if (opts.ignoreRange) delete headers.range;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    pending.add(done);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      rec.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => {
        // Count only what the client's socket accepted; stop reading when it pushes back.
        rec.bytes += chunk.length;
        if (!res.write(chunk)) up.pause();
      });
      res.on('drain', () => up.resume());
      up.on('end', () => res.end());
      res.on('close', () => {
        up.destroy();
        finish();
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
      finish();
    });
    req.pipe(upstream);
  });
  const { host } = await listenLoopback(server);
  return {
    host,
    requests,
    blob: (digest) => requests.filter((r) => r.path.endsWith(`/blobs/${digest}`)),
    settled: async () => {
      await Promise.all([...pending]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
