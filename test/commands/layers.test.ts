/**
 * `regsize layers` and `--uncompressed` end to end: the CLI (in-process, and once as a
 * subprocess) against a real registry, with images built here (layers-diff-fixture.ts, shared
 * with diff.test.ts); expected figures come from the bytes built, and the bytes read per layer
 * from regsize's own --verbose request lines.
 */
import assert from 'node:assert/strict';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { Image, Layer } from '../helpers/images.js';
import { layersDiffFixture, oneLineFailure, sum } from './layers-diff-fixture.js';
import type { LayerRow } from '../../src/sizing/layers.js';

/** A layer as `layers --json` prints it: the library's own row type. */
type LayerJson = LayerRow;

/** Body bytes per blob digest, from the `--verbose` request lines (`GET url 206 3ms 4 B`). */
function bytesPerBlob(stderr: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    const hit = /GET \S+\/blobs\/(sha256:[a-f0-9]{64}) (\d{3}) \d+ms (\d+(?:\.\d+)?) (B|kB)/.exec(line);
    if (!hit) continue;
    const bytes = Number(hit[3]) * (hit[4] === 'kB' ? 1000 : 1);
    m.set(hit[1] as string, (m.get(hit[1] as string) ?? 0) + bytes);
  }
  return m;
}

describe('regsize layers / --uncompressed (CLI, real registry)', function () {
  this.timeout(120_000);
  let base: Image;
  let app: Image;
  let appLayers: Layer[];
  let streamedZstd: Layer;
  let at: (s: string) => string;

  before(async () => {
    ({ base, app, appLayers, streamedZstd, at } = await layersDiffFixture());
  });

  it('layers --json --uncompressed: the JSON shape, tar sizes as built, and a few bytes read per layer', async () => {
    const r = await runCli(['layers', at('team/app:2.0'), '--json', '--uncompressed', '--verbose', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { reference: string; name: string; platform: string; manifestDigest: string; compressedSize: number; uncompressedSize: number; layers: LayerJson[]; warnings: string[] };
    assert.deepEqual(Object.keys(doc), ['reference', 'name', 'platform', 'manifestDigest', 'compressedSize', 'uncompressedSize', 'layers', 'warnings']);
    assert.equal(doc.reference, at('team/app:2.0'));
    assert.equal(doc.manifestDigest, app.manifestDigest);
    assert.equal(doc.compressedSize, sum(app.layers.map((l) => l.size)));
    assert.equal(doc.uncompressedSize, sum(appLayers.map((l) => l.uncompressedSize)));
    assert.deepEqual(
      doc.layers,
      appLayers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, createdBy: l.createdBy, uncompressedSize: l.uncompressedSize })),
    );
    const read = bytesPerBlob(r.stderr);
    for (const l of appLayers) {
      const bytes = read.get(l.digest) ?? 0;
      // A few bytes a layer; a zstd blob of at most 64 KiB is read whole instead of its header.
      assert.ok(bytes <= (l.compression === 'zstd' && l.size <= 64 * 1024 ? l.size : 18), `${l.compression} layer read ${bytes} bytes`);
      if (l.compression !== 'none') assert.ok(bytes > 0, `${l.compression} layer: its range read shows in --verbose`);
    }
  });

  it('layers prints a table with share, running total and shortened steps; markdown for PR comments', async () => {
    const r = await spawnCli(['layers', at('team/app:2.0'), '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, new RegExp(`^${at('team/app:2.0').replace(/[.]/g, '\\.')} \\(linux/amd64\\): 5 layers, `));
    assert.match(lines[2] as string, /^#\s+DIGEST\s+SIZE\s+SHARE\s+TOTAL\s+TYPE\s+STEP$/);
    const rows = lines.slice(3);
    assert.equal(rows.length, appLayers.length);
    assert.match(rows[0] as string, new RegExp(`^1  ${appLayers[0]!.digest.slice(7, 19)} .* gzip  ADD file:4c2a9e0b5f in /$`));
    assert.match(rows[1] as string, /gzip {2}RUN apk add --no-cache ca-certificates$/);
    assert.match(rows[2] as string, /zstd {2}COPY \. \/app$/);
    assert.match(rows[3] as string, /tar {3}RUN npm run build$/);
    // stdout is a pipe here: the long step is printed whole (a terminal would get it shortened).
    assert.ok((rows[4] as string).endsWith(`gzip  RUN npm ci --omit=dev && ${'rm -rf /root/.npm/_cacache && '.repeat(4)}true`), rows[4]);
    const whole = /: 5 layers, (.+) compressed$/.exec(lines[0] as string)?.[1] as string;
    assert.ok((rows[4] as string).includes(`  ${whole}  `), 'the running total of the last row is the whole image');

    const md = await runCli(['layers', at('team/app:2.0'), '--platform', 'linux/amd64', '--format', 'markdown', '--uncompressed']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^\*\*.*: 5 layers, .* compressed, .* uncompressed\*\*$/m);
    assert.match(md.stdout, /^\| # \| DIGEST \| SIZE \| SHARE \| TOTAL \| UNCOMPRESSED \| TYPE \| STEP \|$/m);
    assert.equal(md.stdout.match(/^\| \d+ \|/gm)?.length, appLayers.length);
    // The step is registry text, escaped to render literally (the underscore would start emphasis).
    const longStep = `| RUN npm ci --omit=dev && ${'rm -rf /root/.npm/\\_cacache && '.repeat(4)}true |`;
    assert.ok(md.stdout.includes(longStep), 'markdown shows the step as a Dockerfile line, uncut at this length');
    assert.doesNotMatch(md.stdout, /# buildkit|\/bin\/sh -c/);
  });

  it('compare --uncompressed adds uncompressedSize; without the flag there is none', async () => {
    const r = await runCli([at('team/app:2.0'), at('lib/base:1'), '--json', '--uncompressed', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.images.map((e: { uncompressedSize: number }) => e.uncompressedSize), [sum(appLayers.map((l) => l.uncompressedSize)), sum(base.layers.map((l) => l.uncompressedSize))]);
    const plain = await runCli([at('team/app:2.0'), '--json', '--platform', 'linux/amd64']);
    assert.ok(!('uncompressedSize' in JSON.parse(plain.stdout).images[0]));
  });

  it('an unknown uncompressed size is said, with why, on stderr; --exact counts it', async () => {
    const r = await runCli(['layers', at('team/tool:1'), '--uncompressed', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /unknown uncompressed/);
    assert.match(r.stdout, /^2 .* unknown {2}zstd {2}RUN make tool$/m);
    assert.match(r.stderr, /^regsize: warning: .*team\/tool:1: layer 2 \(\w{12}\): uncompressed size unknown: the zstd frame does not record its content size/m);
    // --exact implies --uncompressed.
    const exact = await runCli(['layers', at('team/tool:1'), '--exact', '--json', '--platform', 'linux/amd64']);
    assert.equal(exact.code, 0, exact.stderr);
    assert.equal(JSON.parse(exact.stdout).layers[1].uncompressedSize, streamedZstd.uncompressedSize);
    assert.equal(exact.stderr, '', 'no progress bar or warning when stderr is not a terminal');
  });

  it('history that does not line up: rows marked, a warning, exit 0', async () => {
    const r = await runCli(['layers', at('broken/history:1'), '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/\(step unknown\)$/gm)?.length, 2);
    assert.match(r.stderr, /warning: .*history names 1 layer step for 2 layers; build steps are not shown rather than guessed/);
  });

  it('bad input: one line, the documented exit code, no stack', async () => {
    assert.match(oneLineFailure(await runCli(['layers']), 2), /^regsize: missing IMAGE/);
    assert.match(oneLineFailure(await runCli(['layers', 'Not A Ref']), 2), /invalid reference/);
    assert.match(oneLineFailure(await runCli(['layers', at('team/app:2.0'), '--platform', 'all']), 2), /one platform/);
    assert.match(oneLineFailure(await runCli(['layers', at('team/app:nope')]), 1), /manifest unknown/);
    // A layer digest where a manifest is expected (distribution 2.8 answers 500, others 404).
    assert.match(oneLineFailure(await runCli(['layers', at(`team/app@${appLayers[0]!.digest}`)]), 1), /if sha256:\w{64} is a layer or config digest, give the image's tag or manifest digest instead$/);
    assert.match(oneLineFailure(await runCli(['layers', at('broken/junk:1'), '--platform', 'linux/amd64']), 1), /image config (sha256:[a-f0-9]{64} )?is not valid JSON/);
    const json = await runCli(['layers', at('team/app:nope'), '--json']);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).error.code, 'MANIFEST_UNKNOWN');
  });
});
