/** The sections of a report config, each on its own (src/report/config-sections.ts). */
import assert from 'node:assert/strict';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { isRegsizeError } from '../../src/errors.js';
import { parseEcr, parseImage, parseSettings, parseTags, section, TOP_KEYS } from '../../src/report/config-sections.js';
import { Ctx } from '../../src/report/config-yaml.js';

function load(text: string): { ctx: Ctx; top: Map<string, Node> } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const ctx = new Ctx('r.yaml', lines, doc);
  const root = ctx.resolve(doc.contents);
  assert.ok(root && isMap(root));
  return { ctx, top: ctx.entries(root, '', TOP_KEYS) };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isRegsizeError(e), String(e));
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('config sections', function () {
  it('settings: title, platform, bandwidths and defaults, as the flags parse them', function () {
    const { ctx, top } = load('title: Nightly\nplatform: linux/arm64\nbandwidth: [10Mbps, 1Gbps]\ndefaults:\n  maxSize: 300MB\n  maxGrowth: 10%\n');
    const s = parseSettings(ctx, top);
    assert.equal(s.title, 'Nightly');
    assert.deepEqual(s.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(s.bandwidths?.map((b) => b.bitsPerSecond), [10e6, 1e9]);
    assert.equal(s.defaults.maxSize, 300e6);
    assert.ok(s.defaults.maxGrowth);
  });

  it('images: a plain reference or a mapping, with the line of each entry', function () {
    const { ctx, top } = load('images:\n  - alpine:3.20\n  - ref: python:3.12-slim\n    maxSize: 50MB\n');
    const images = section(ctx, top.get('images'), 'images', parseImage);
    assert.deepEqual(images.map((i) => [i.line, i.maxSize]), [
      [2, undefined],
      [3, 50e6],
    ]);
    assert.equal(refusal(() => section(ctx, load('images:\n  - ref: alpine\n    baseline: alpine:3.19\n').top.get('images'), 'images', parseImage)).split(': ')[0], 'r.yaml:3');
  });

  it('tags: a valid regex, a limit of 1 or more', function () {
    const { ctx, top } = load('tags:\n  - repository: python\n    filter: "3.12-*"\n    limit: 3\n');
    const seq = top.get('tags');
    assert.ok(seq && isSeq(seq));
    assert.deepEqual(parseTags(ctx, seq.items[0] as Node, 'tags[0]'), { repository: 'python', filter: ['3.12-*'], limit: 3, line: 2 });
    const bad = load('tags:\n  - repository: python\n    regex: "("\n');
    assert.match(refusal(() => section(bad.ctx, bad.top.get('tags'), 'tags', parseTags)), /^r\.yaml:3: tags\[0\]\.regex: invalid regular expression/);
  });

  it('ecr: a region and repositories, or all, never both', function () {
    const { ctx, top } = load('ecr:\n  - region: eu-west-1\n    repositories: [team/app]\n    registryId: "012345678901"\n    pricePerGbMonth: 0.1\n');
    assert.deepEqual(section(ctx, top.get('ecr'), 'ecr', parseEcr), [{ region: 'eu-west-1', repositories: ['team/app'], registryId: '012345678901', pricePerGbMonth: 0.1, line: 2 }]);
    const both = load('ecr:\n  - region: eu-west-1\n    repositories: [team/app]\n    all: true\n');
    assert.equal(refusal(() => section(both.ctx, both.top.get('ecr'), 'ecr', parseEcr)), 'r.yaml:4: ecr[0].all: give either repositories or all: true, not both');
    const bad = load('ecr:\n  - region: eu-west-1\n    repositories: [Team/App]\n');
    assert.match(refusal(() => section(bad.ctx, bad.top.get('ecr'), 'ecr', parseEcr)), /^r\.yaml:3: ecr\[0\]\.repositories\[0\]: "Team\/App" is not an ECR repository name/);
  });
});
