/**
 * `docker-daemon:NAME[:TAG]`: an image in the local Docker Engine (or podman's Docker-compatible
 * API), through the Engine API (docker-engine.ts finds it as the docker CLI does).
 *
 *   1. GET /images/{name}/json: is the image there, and its ID (the config digest) and diff_ids.
 *   2. GET /images/{name}/get: the image as `docker save` would write it, read as a stream (never
 *      written to disk). The Engine stores layers as plain tars, so the compressed size is
 *      estimated as for docker-archive: each layer gzipped as a push would, while streaming.
 *      The entry whose sha256 is the image ID is the config (history, diff_ids); the layers are
 *      found by their diff_id, which suits the classic layout and the OCI one newer Docker writes.
 * The export is one sequential stream, so its layers are compressed one after the other.
 */
import { extract as tarExtract, type Header } from 'tar-stream';
import { RegsizeError } from '../errors.js';
import type { LayerBlob } from '../oci/layer-reader.js';
import { MAX_CONFIG_BYTES } from '../transport/client.js';
import { diffIdsOf, tarLayersImage } from './docker-archive.js';
import { EngineClient, engineEndpoint } from './docker-engine.js';
import { estimateGzip, type TarEstimate } from './gzip-estimate.js';
import type { LocalImage } from './local-image.js';

interface Inspect {
  Id?: unknown;
  /** Bytes of the layers' tars, as the Engine counts them (for the progress bar only). */
  Size?: unknown;
  RootFS?: { Layers?: unknown };
}

function imagePath(name: string, what: 'json' | 'get'): string {
  return `/images/${encodeURIComponent(name)}/${what}`;
}

/** An entry of tar-stream's extract (a streamx Readable). */
type TarEntry = AsyncIterable<Buffer> & { header: Header; resume(): unknown };

async function* entries(engine: EngineClient, name: string): AsyncGenerator<TarEntry> {
  const res = await engine.get(imagePath(name, 'get'));
  if (res.statusCode === 404) throw new RegsizeError('MANIFEST_UNKNOWN', `the Docker Engine at ${engine.endpoint.host} no longer has ${name}`);
  const extract = tarExtract();
  // A broken connection must end the iteration with its error, not leave it waiting.
  res.body.on('error', (e) => extract.destroy(e));
  res.body.pipe(extract);
  // streamx entries yield Buffers; its types say unknown.
  for await (const entry of extract) yield entry as unknown as TarEntry;
}

export async function openDaemonImage(name: string, input: string, onProgress?: (done: number, total: number) => void): Promise<LocalImage> {
  const engine = new EngineClient(engineEndpoint());
  try {
    const res = await engine.get(imagePath(name, 'json'));
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new RegsizeError('MANIFEST_UNKNOWN', `${input}: the Docker Engine at ${engine.endpoint.host} has no image ${name}; docker images lists what it has`);
    }
    const inspect = (await res.body.json()) as Inspect;
    if (typeof inspect.Id !== 'string') throw new RegsizeError('MANIFEST_INVALID', `${input}: the Docker Engine's image inspect has no Id`);
    const id = inspect.Id.startsWith('sha256:') ? inspect.Id : `sha256:${inspect.Id}`;

    let config: Buffer | undefined;
    const byDigest = new Map<string, { entry: string; estimate: TarEstimate }>();
    let done = 0;
    const total = typeof inspect.Size === 'number' ? inspect.Size : 0;
    for await (const entry of entries(engine, name)) {
      const size = entry.header.size ?? 0;
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      const keep: Buffer[] | undefined = size <= MAX_CONFIG_BYTES ? [] : undefined;
      const estimate = await estimateGzip(
        (async function* () {
          for await (const c of entry) {
            keep?.push(c);
            yield c;
          }
        })(),
        (n) => onProgress?.((done += n), Math.max(done, total)),
      );
      byDigest.set(estimate.digest, { entry: entry.header.name, estimate });
      if (estimate.digest === id && keep) config = Buffer.concat(keep);
    }
    if (!config) throw new RegsizeError('MANIFEST_INVALID', `${input}: the Docker Engine's export holds no config ${id}`);
    const layers = diffIdsOf(config, input).map((d) => {
      const found = byDigest.get(d);
      if (!found) throw new RegsizeError('MANIFEST_INVALID', `${input}: the Docker Engine's export lacks layer ${d}`);
      return found;
    });
    const paths = new Map(layers.map((l) => [l.estimate.digest, l.entry]));
    return tarLayersImage(input, input, config, layers.map((l) => l.estimate), {
      openLayer: (blob: LayerBlob) => ({
        async *[Symbol.asyncIterator]() {
          // Read again from a fresh export: the Engine has no API for one layer.
          const reader = new EngineClient(engine.endpoint);
          try {
            for await (const entry of entries(reader, name)) {
              if (entry.header.name !== paths.get(blob.digest)) {
                entry.resume();
                continue;
              }
              for await (const c of entry) yield c;
              return;
            }
            throw new RegsizeError('BLOB_UNKNOWN', `${input}: the Docker Engine's export lacks layer ${blob.digest}`);
          } finally {
            await reader.close();
          }
        },
      }),
    });
  } finally {
    await engine.close();
  }
}
