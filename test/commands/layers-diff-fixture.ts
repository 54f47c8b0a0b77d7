/**
 * The images `regsize layers` and `regsize diff` are tested against (test/commands/layers.test.ts,
 * diff.test.ts): a base, an app built on it, a streamed zstd layer and two broken images, pushed
 * once per run to the shared registry, whichever of the two files asks first.
 */
import assert from 'node:assert/strict';
import { type Image, type Layer, makeImage, makeLayer, makeRandomLayer, MT, seededBytes, pushImage } from '../helpers/images.js';
import { pushBlob, pushManifest, sha256 } from '../helpers/push.js';
import { type LocalRegistry, sharedRegistry } from '../helpers/registry.js';
import { zstdLayerWithContentSize } from '../sizing/layer-fixtures.js';

export interface LayersDiffFixture {
  reg: LocalRegistry;
  base: Image;
  /** Built on base, naming it in its annotations. */
  app: Image;
  appLayers: Layer[];
  /** A zstd layer over 64 KiB whose frame does not record its content size. */
  streamedZstd: Layer;
  /** The full reference of `repo:tag` in this fixture's namespace of the shared registry. */
  at(s: string): string;
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Checks the run failed with exit `code` and exactly one stderr line (no stack), and returns it. */
export function oneLineFailure(r: { code: number | null; stderr: string }, code: number): string {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  return lines[0] as string;
}

let pushed: Promise<LayersDiffFixture> | undefined;

/** The fixture, pushed on the first call of the run; the shared registry is stopped by test/setup.ts. */
export function layersDiffFixture(): Promise<LayersDiffFixture> {
  pushed ??= push();
  return pushed;
}

async function push(): Promise<LayersDiffFixture> {
  const reg = await sharedRegistry('layers-diff');
  const at = (s: string) => `${reg.host}/${reg.repo(s)}`;
  const repo = (name: string) => reg.repo(name);
  const os = makeRandomLayer({ size: 250_000, seed: 'cli-base-os', createdBy: '/bin/sh -c #(nop) ADD file:4c2a9e0b5f in / ' });
  const certs = makeLayer({ files: [{ name: 'etc/' }, { name: 'etc/ssl/cert.pem', content: 'CERT\n'.repeat(9000) }], compression: 'gzip', createdBy: '/bin/sh -c apk add --no-cache ca-certificates' });
  const base = makeImage({ layers: [os, certs] });
  await pushImage(reg, repo('lib/base'), '1', base);
  const appLayers = [
    os,
    certs,
    zstdLayerWithContentSize([{ name: 'app/' }, { name: 'app/server.js', content: 'serve();\n'.repeat(7000) }], 'COPY . /app # buildkit'),
    makeLayer({ files: [{ name: 'app/dist/' }, { name: 'app/dist/bundle.js', content: 'b\n'.repeat(3000) }], compression: 'none', createdBy: 'RUN /bin/sh -c npm run build # buildkit' }),
    makeRandomLayer({ size: 180_000, seed: 'cli-deps', path: 'app/node_modules/deps.bin', createdBy: `RUN /bin/sh -c npm ci --omit=dev && ${'rm -rf /root/.npm/_cacache && '.repeat(4)}true # buildkit` }),
  ];
  const app = makeImage({
    layers: appLayers,
    annotations: { 'org.opencontainers.image.base.name': at('lib/base:1'), 'org.opencontainers.image.base.digest': base.manifestDigest },
  });
  await pushImage(reg, repo('team/app'), '2.0', app);
  await pushImage(reg, repo('team/app'), 'plain', makeImage({ layers: appLayers }));
  // Over 64 KiB compressed, so that only its header is read without --exact.
  const streamedZstd = makeLayer({ files: [{ name: 'bin/' }, { name: 'bin/tool', content: seededBytes(100_000, 'tool') }], compression: 'zstd', createdBy: 'RUN make tool' });
  await pushImage(reg, repo('team/tool'), '1', makeImage({ layers: [os, streamedZstd] }));
  await pushImage(reg, repo('broken/history'), '1', makeImage({ layers: [os, certs], history: [{ created_by: 'ADD a /' }] }));
  const junk = Buffer.from('{"os": "linux", "architecture": "amd64", "rootfs": ');
  await pushBlob(reg, repo('broken/junk'), junk);
  await pushBlob(reg, repo('broken/junk'), os.blob);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.OCI_MANIFEST, config: { mediaType: MT.OCI_CONFIG, digest: sha256(junk), size: junk.length }, layers: [{ mediaType: os.mediaType, digest: os.digest, size: os.size }] }));
  await pushManifest(reg, repo('broken/junk'), '1', manifest, MT.OCI_MANIFEST);
  return { reg, base, app, appLayers, streamedZstd, at };
}
