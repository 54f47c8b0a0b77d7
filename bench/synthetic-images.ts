/**
 * Local images for the benches, built once in the bench's temp folder from synthetic layer
 * tars (bench/synthetic.ts): a docker-archive (what `docker save` writes: layer tars,
 * config, manifest.json last, as docker writes it) and an OCI layout of gzip layers.
 * Everything streams to disk with backpressure; nothing is held whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import { mapLimit } from '../src/util/limit.js';
import { closeOut, layerFiles, openOut, segmentPool, type SyntheticFile, tarHeader, writeAll, writeTar } from './synthetic.js';

export interface SyntheticLayer {
  /** The plain tar on disk. */
  file: string;
  /** sha256 of the tar: the diff_id. */
  diffId: string;
  size: number;
  files: SyntheticFile[];
  createdBy: string;
}

export interface LayerSpec {
  bytes: number;
  count: number;
}

/** Writes the layer tars (plain) into `dir`, two at a time. */
export async function writeLayerTars(dir: string, specs: LayerSpec[], seed: number): Promise<SyntheticLayer[]> {
  await mkdir(dir, { recursive: true });
  const pool = segmentPool(seed);
  return mapLimit(specs, 2, async (s, i) => {
    const files = layerFiles(`opt/layer${i}`, s.bytes, s.count, seed + i + 1);
    const file = path.join(dir, `layer${i}.tar`);
    const out = openOut(file);
    const { digest, size } = await writeTar(out, files, pool, seed * 31 + i);
    await closeOut(out);
    return { file, diffId: digest, size, files, createdBy: `RUN /bin/sh -c make layer${i} # buildkit` };
  });
}

function configOf(layers: SyntheticLayer[], mediaTypeOci: boolean): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: '2026-01-01T00:00:00Z', created_by: l.createdBy })),
      ...(mediaTypeOci ? {} : { docker_version: '24.0.0' }),
    }),
  );
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** `docker save` output: `<hex>/layer.tar` per layer, `<config hex>.json`, then manifest.json. */
export async function writeDockerArchive(file: string, layers: SyntheticLayer[], tag: string): Promise<void> {
  const out = openOut(file);
  const entry = async (name: string, size: number, body: () => Promise<void>) => {
    await writeAll(out, tarHeader(name, size));
    await body();
    const pad = (512 - (size % 512)) % 512;
    if (pad) await writeAll(out, Buffer.alloc(pad));
  };
  const names: string[] = [];
  for (const l of layers) {
    const name = `${l.diffId.slice(7)}/layer.tar`;
    names.push(name);
    await entry(name, l.size, async () => {
      for await (const c of createReadStream(l.file, { highWaterMark: 1 << 20 })) await writeAll(out, c as Buffer);
    });
  }
  const config = configOf(layers, false);
  const configName = `${sha256(config).slice(7)}.json`;
  await entry(configName, config.length, () => writeAll(out, config));
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: names }]));
  await entry('manifest.json', manifest.length, () => writeAll(out, manifest));
  await writeAll(out, Buffer.alloc(1024));
  await closeOut(out);
}

export interface LayoutBlob {
  file: string;
  digest: string;
  size: number;
}

/** An OCI layout whose layers are the tars gzipped at level 6; returns the layer blobs. */
export async function writeOciLayout(dir: string, layers: SyntheticLayer[], refName: string): Promise<LayoutBlob[]> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer) => {
    const d = sha256(b);
    await writeFile(path.join(blobs, d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const gz = await mapLimit(layers, 2, async (l, i) => {
    const temp = path.join(blobs, `.tmp-${i}`);
    const hash = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    await pipeline(createReadStream(l.file, { highWaterMark: 1 << 20 }), createGzip({ level: 6 }), count, openOut(temp));
    const digest = `sha256:${hash.digest('hex')}`;
    const file = path.join(blobs, digest.slice(7));
    await rename(temp, file);
    return { file, digest, size };
  });
  const config = await put(configOf(layers, true));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: gz.map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: b.digest, size: b.size })),
    }),
  );
  const m = await put(manifest);
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': refName } }] };
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return gz;
}
