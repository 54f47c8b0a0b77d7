/**
 * `regsize diff` end to end: the CLI (in-process, and once as a subprocess) against a real
 * registry, with images built here (layers-diff-fixture.ts, shared with layers.test.ts);
 * expected figures come from the bytes built.
 */
import assert from 'node:assert/strict';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { Image, Layer } from '../helpers/images.js';
import { layersDiffFixture, oneLineFailure, sum } from './layers-diff-fixture.js';

describe('regsize diff (CLI, real registry)', function () {
  this.timeout(120_000);
  let base: Image;
  let appLayers: Layer[];
  let at: (s: string) => string;

  before(async () => {
    ({ base, appLayers, at } = await layersDiffFixture());
  });

  it('diff BASE IMAGE --json: exactly the added layers and bytes', async () => {
    const r = await runCli(['diff', at('lib/base:1'), at('team/app:2.0'), '--json', '--uncompressed', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['base', 'image', 'baseFrom', 'sharedLayers', 'addedLayers', 'removedLayers', 'addedSize', 'addedUncompressedSize', 'warnings']);
    const added = appLayers.slice(2);
    assert.deepEqual(doc.addedLayers, added.map((l) => ({ digest: l.digest, size: l.size, createdBy: l.createdBy, uncompressedSize: l.uncompressedSize })));
    assert.equal(doc.addedSize, sum(added.map((l) => l.size)));
    assert.equal(doc.addedUncompressedSize, sum(added.map((l) => l.uncompressedSize)));
    assert.deepEqual(doc.sharedLayers.map((l: { digest: string }) => l.digest), base.layers.map((l) => l.digest));
    assert.deepEqual(doc.removedLayers, []);
    assert.equal(doc.base.manifestDigest, base.manifestDigest);
    assert.equal(doc.base.compressedSize, sum(base.layers.map((l) => l.size)));
    assert.equal(doc.base.uncompressedSize, sum(base.layers.map((l) => l.uncompressedSize)));
    assert.equal(doc.image.uncompressedSize, sum(appLayers.map((l) => l.uncompressedSize)));
  });

  it('diff IMAGE finds the base in the annotations and answers step by step, as a table and as markdown', async () => {
    const r = await spawnCli(['diff', at('team/app:2.0'), '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^BASE\\s+${at('lib/base:1').replace(/[.]/g, '\\.')}@${base.manifestDigest}`, 'm'));
    assert.match(r.stdout, /^Shared with BASE: 2 layers, /m);
    assert.match(r.stdout, /^IMAGE adds 3 layers: \+/m);
    for (const step of ['COPY . /app', 'RUN npm run build', 'RUN npm ci --omit=dev']) assert.ok(r.stdout.includes(step), step);
    assert.match(r.stdout, /annotations/);
    const md = await runCli(['diff', at('lib/base:1'), at('team/app:2.0'), '--platform', 'linux/amd64', '--format', 'markdown']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^\*\*IMAGE adds 3 layers: /m);
    assert.equal(md.stdout.match(/^\| [345] \| /gm)?.length, 3, 'one markdown row per added layer, numbered by position in IMAGE');
  });

  it('bad input: one line, the documented exit code, no stack', async () => {
    assert.match(oneLineFailure(await runCli(['diff', at('team/app:2.0'), '--platform', 'all']), 2), /one platform/);
    assert.match(oneLineFailure(await runCli(['diff', at('team/app:plain'), '--platform', 'linux/amd64']), 2), /does not name its base image .*regsize diff BASE /);
    assert.match(oneLineFailure(await runCli(['diff', at('lib/base:1'), at('broken/junk:1'), '--platform', 'linux/amd64']), 1), /image config (sha256:[a-f0-9]{64} )?is not valid JSON/);
  });
});
