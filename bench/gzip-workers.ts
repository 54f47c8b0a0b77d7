/**
 * The alternative the docker-archive estimate was measured against (issue #14): a pool of
 * worker threads, one per core, each sent a layer's chunks by the main thread and
 * gzip-compressing them at level 6 while hashing them, as src/source/gzip-estimate.ts does on
 * the main thread with zlib's async streams. At most MAX_IN_FLIGHT chunks of a layer wait in
 * a worker (backpressure), so memory stays bounded.
 *
 * Node has no synchronous streaming deflate, so a worker's zlib stream also runs on libuv's
 * thread pool: what a worker adds is its own event loop for the hashing and the bookkeeping.
 * The bench runs this file as a child process over the same layer tars:
 *   node dist/bench/gzip-workers.js LAYER.tar...   -> {"layers":[{"tar","compressed","digest"}]}
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { createGzip } from 'node:zlib';
import { mapLimit } from '../src/util/limit.js';

const MAX_IN_FLIGHT = 4;
const CHUNK = 1 << 20;

type ToWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };
type FromWorker = { type: 'ack' } | { type: 'done'; tar: number; compressed: number; digest: string };

function workerMain(): void {
  const port = parentPort;
  if (!port) return;
  let gz = createGzip({ level: 6 });
  let hash = createHash('sha256');
  let tar = 0;
  let compressed = 0;
  const reset = () => {
    gz = createGzip({ level: 6 });
    hash = createHash('sha256');
    tar = 0;
    compressed = 0;
    gz.on('data', (c: Buffer) => (compressed += c.length));
  };
  reset();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'chunk') {
      tar += m.bytes.length;
      hash.update(m.bytes);
      if (gz.write(m.bytes)) port.postMessage({ type: 'ack' } satisfies FromWorker);
      else gz.once('drain', () => port.postMessage({ type: 'ack' } satisfies FromWorker));
      return;
    }
    gz.once('end', () => {
      port.postMessage({ type: 'done', tar, compressed, digest: `sha256:${hash.digest('hex')}` } satisfies FromWorker);
      reset();
    });
    gz.end();
  });
}

async function estimateIn(worker: Worker, file: string): Promise<{ tar: number; compressed: number; digest: string }> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let result: ((r: { tar: number; compressed: number; digest: string }) => void) | undefined;
  const onMessage = (m: FromWorker) => {
    if (m.type === 'ack') {
      inFlight--;
      wake?.();
    } else result?.({ tar: m.tar, compressed: m.compressed, digest: m.digest });
  };
  worker.on('message', onMessage);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
      inFlight++;
      worker.postMessage({ type: 'chunk', bytes: chunk as Buffer } satisfies ToWorker);
    }
    const done = new Promise<{ tar: number; compressed: number; digest: string }>((resolve) => (result = resolve));
    worker.postMessage({ type: 'end' } satisfies ToWorker);
    return await done;
  } finally {
    worker.off('message', onMessage);
  }
}

async function main(files: string[]): Promise<void> {
  const workers = Array.from({ length: Math.min(availableParallelism(), files.length) }, () => new Worker(new URL(import.meta.url)));
  const free = [...workers];
  try {
    const layers = await mapLimit(files, workers.length, async (file) => {
      const w = free.pop() as Worker;
      try {
        return await estimateIn(w, file);
      } finally {
        free.push(w);
      }
    });
    process.stdout.write(`${JSON.stringify({ layers })}\n`);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

if (!isMainThread) workerMain();
else if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) await main(process.argv.slice(2));
