/**
 * The LayerReader of registry images: `RegistryClient.blobStream` (verified against the
 * digest, never buffered) turned from a push sink into an async iterable. Each chunk is
 * handed over only when the consumer asks for the next one, so the download runs at the pace
 * of the tar parser and at most one chunk waits in memory.
 */
import { RegsizeError } from '../errors.js';
import type { LayerBlob, LayerReader } from '../oci/layer-reader.js';
import type { RegistryClient, RepoRef } from '../transport/client.js';

export class RegistryLayerReader implements LayerReader {
  constructor(
    private readonly client: RegistryClient,
    private readonly repo: RepoRef,
  ) {}

  openLayer(layer: LayerBlob): AsyncIterable<Uint8Array> {
    const { client, repo } = this;
    return {
      [Symbol.asyncIterator]: () => {
        // One slot: the producer (blobStream's sink) waits until the consumer took the chunk.
        let pending: { chunk: Uint8Array; taken: () => void } | undefined;
        let wake: (() => void) | undefined;
        let finished = false;
        let failure: unknown;
        let delivered = 0;
        let stopped = false;
        const notify = () => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        const download = client
          .blobStream(repo, layer, () => {
            // A retried request starts again from byte 0: the parser has already seen the
            // first bytes, so the listing cannot resume; fail and let the user run again.
            if (delivered > 0) throw new RegsizeError('NETWORK', `the download of layer ${layer.digest} broke off after ${delivered} bytes; run again`);
            return {
              write: (chunk) =>
                new Promise<void>((resolve, reject) => {
                  if (stopped) return reject(new RegsizeError('INTERNAL', 'layer read stopped'));
                  pending = { chunk, taken: resolve };
                  notify();
                }),
            };
          })
          .then(
            () => {
              finished = true;
              notify();
            },
            (e: unknown) => {
              failure = e;
              finished = true;
              notify();
            },
          );
        return {
          async next(): Promise<IteratorResult<Uint8Array>> {
            for (;;) {
              if (pending) {
                const { chunk, taken } = pending;
                pending = undefined;
                delivered += chunk.length;
                taken();
                return { value: chunk, done: false };
              }
              if (finished) {
                if (failure) throw failure;
                return { value: undefined, done: true };
              }
              await new Promise<void>((resolve) => (wake = resolve));
            }
          },
          async return(): Promise<IteratorResult<Uint8Array>> {
            // The consumer stopped early (a bomb, a broken tar): refuse the rest of the body.
            stopped = true;
            if (pending) {
              const p = pending;
              pending = undefined;
              p.taken();
            }
            await download.catch(() => {});
            return { value: undefined, done: true };
          },
        };
      },
    };
  }
}
