/**
 * The report config: what a scheduled job's owner writes once and forgets. Every mistake must
 * be reported with the file, the line and the key, before any network call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRegsizeError } from '../../src/errors.js';
import type { Reference } from '../../src/reference/reference.js';
import { loadConfig, parseConfig } from '../../src/report/config.js';

/** The 1-based line of the first line containing `needle`, found independently of the loader. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `fixture lacks ${needle}`);
  return i + 1;
}

function configError(text: string, file = 'regsize.yaml'): { code: string; message: string } {
  try {
    parseConfig(text, file);
  } catch (e) {
    assert.ok(isRegsizeError(e), `not a RegsizeError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message is not one line: ${JSON.stringify(e.message)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('the config was accepted');
}

describe('report config', function () {
  it('reads the example shape: platform, bandwidth, budgets, images, tags and ecr', function () {
    const c = parseConfig(
      `title: Prod
platform: linux/arm64
bandwidth: 5Mbps, 1Gbps
defaults:
  maxSize: 300MB
images:
  - python:3.12-slim
  - ref: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:prod
    maxSize: 250MiB
tags:
  - repository: python
    filter: "3.12-*"
    limit: 5
ecr:
  - region: eu-west-1
    repositories: [app, worker]
  - region: us-east-1
    all: true
    registryId: "000123456789"
`,
      'prod.yaml',
    );
    assert.equal(c.title, 'Prod');
    // arm64's default variant is spelled v8, as indexes spell it (oci/platform.ts).
    assert.deepEqual(c.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(c.bandwidths?.map((b) => b.bitsPerSecond), [5e6, 1e9]);
    assert.equal(c.defaults.maxSize, 300 * 1000 ** 2);
    assert.deepEqual(c.images.map((i) => [(i.ref as Reference).registry, (i.ref as Reference).repository, (i.ref as Reference).tag, i.maxSize, i.line]), [
      ['docker.io', 'library/python', '3.12-slim', undefined, 7],
      ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'app', 'prod', 250 * 1024 ** 2, 8],
    ]);
    assert.deepEqual(c.tags.map((t) => [t.repository, t.filter, t.limit]), [['python', ['3.12-*'], 5]]);
    assert.deepEqual(c.ecr.map((e) => [e.region, e.repositories, e.registryId]), [
      ['eu-west-1', ['app', 'worker'], undefined],
      ['us-east-1', 'all', '000123456789'],
    ]);
  });

  it('reads maxGrowth as a percentage or a size, and names the line of a bare number', function () {
    const c = parseConfig('defaults:\n  maxGrowth: 10%\nimages:\n  - ref: python:3.12-slim\n    maxGrowth: 20MB\ntags:\n  - repository: python\n    maxGrowth: 2.5%\n', 'regsize.yaml');
    assert.deepEqual(c.defaults.maxGrowth, { kind: 'percent', percent: 10, text: '10%' });
    assert.deepEqual(c.images[0]?.maxGrowth, { kind: 'bytes', bytes: 20_000_000, text: '20MB' });
    assert.deepEqual(c.tags[0]?.maxGrowth, { kind: 'percent', percent: 2.5, text: '2.5%' });
    const bad = 'images:\n  - ref: python:3.12-slim\n    maxGrowth: 5\n';
    const e = configError(bad);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, /^regsize\.yaml:3: images\[0\]\.maxGrowth: invalid maxGrowth "5": give a unit/);
    const lone = configError('images:\n  - ref: app:pr\n    baseline: app:main\n');
    assert.match(lone.message, /^regsize\.yaml:3: images\[0\]\.baseline: a baseline is what maxGrowth is counted from: give maxGrowth too/);
    const withBase = parseConfig('images:\n  - ref: app:pr\n    maxGrowth: 5%\n    baseline: app:main\n', 'regsize.yaml');
    assert.equal(withBase.images[0]?.baseline?.tag, 'main');
  });

  it('names the line and key of an unknown key, and suggests the one meant', function () {
    const text = 'defaults:\n  maxsize: 300MB\nimages:\n  - python:3.12-slim\n';
    const e = configError(text);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, new RegExp(`^regsize\\.yaml:${lineOf(text, 'maxsize')}: defaults\\.maxsize: unknown key \\(did you mean "maxSize"\\?\\)`));

    const nested = 'images:\n  - python:3.12-slim\n  - ref: node:22\n    max: 1GB\n';
    assert.match(configError(nested).message, new RegExp(`^regsize\\.yaml:${lineOf(nested, 'max:')}: images\\[1\\]\\.max: unknown key; expected ref, maxSize, maxGrowth, baseline$`));
  });

  it('names the line of a bad size string and says how to write one', function () {
    const text = 'defaults:\n  maxSize: 300MB\nimages:\n  - python:3.12-slim\n  - ref: node:22-alpine\n    maxSize: 25OMB\n';
    const e = configError(text, 'ci/regsize.yaml');
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, new RegExp(`^ci/regsize\\.yaml:${lineOf(text, '25OMB')}: images\\[1\\]\\.maxSize: invalid size "25OMB": use a number with a unit`));
    assert.match(configError('defaults:\n  maxSize: 0\nimages: [a]\n').message, /^regsize\.yaml:2: defaults\.maxSize: invalid size 0/);
  });

  it('names the line when there are no images: key absent, list empty, or an empty file', function () {
    const absent = 'platform: linux/amd64\ndefaults:\n  maxSize: 300MB\n';
    assert.match(configError(absent).message, /^regsize\.yaml:1: no images to report: list at least one under `images:`/);
    const empty = 'platform: linux/amd64\nimages:\n';
    assert.match(configError(empty).message, new RegExp(`^regsize\\.yaml:${lineOf(empty, 'images:')}: images: no images to report`));
    const emptyList = 'platform: linux/amd64\n\nimages: []\n';
    assert.match(configError(emptyList).message, new RegExp(`^regsize\\.yaml:${lineOf(emptyList, 'images:')}: images: no images`));
    assert.match(configError('').message, /^regsize\.yaml:1: the config is empty/);
  });

  it('names the line of a bad reference, platform, bandwidth or list entry', function () {
    const ref = 'images:\n  - python:3.12-slim\n  - Python:3.12\n';
    assert.match(configError(ref).message, new RegExp(`^regsize\\.yaml:${lineOf(ref, 'Python')}: images\\[1\\]: invalid reference "Python:3\\.12": repository name "library/Python" must be lowercase`));
    assert.match(configError('platform: linux/&arm\nimages: [a]\n').message, /^regsize\.yaml:1: platform: invalid platform "linux\/&arm"/);
    assert.match(configError('images: [a]\nbandwidth: fast\n').message, /^regsize\.yaml:2: bandwidth: invalid bandwidth "fast"/);
    assert.match(configError('images:\n  - a\n  -\n').message, /^regsize\.yaml:3: images\[1\]: empty list entry/);
    assert.match(configError('images:\n  - ref:\n    maxSize: 1GB\n').message, /^regsize\.yaml:2: images\[0\]\.ref: missing/);
    assert.match(configError('images: python\n').message, /^regsize\.yaml:1: images: expected a list/);
  });

  it('names the line of a YAML syntax error and of a duplicate key', function () {
    const text = 'images:\n  - a\nplatform: [linux/amd64\n';
    assert.match(configError(text).message, /^regsize\.yaml:\d+:\d+: not valid YAML: /);
    const dup = 'images: [a]\nplatform: linux/amd64\nplatform: linux/arm64\n';
    assert.match(configError(dup).message, new RegExp(`^regsize\\.yaml:${dup.split('\n').lastIndexOf('platform: linux/arm64') + 1}:1: not valid YAML: Map keys must be unique`));
  });

  it('refuses credentials in the config and says where they belong', function () {
    const text = 'images: [ghcr.io/org/app:1]\npassword: hunter2\n';
    const e = configError(text);
    assert.match(e.message, /^regsize\.yaml:2: password: credentials do not belong in the config .*docker login/);
    assert.ok(!e.message.includes('hunter2'), 'the secret value is echoed');
  });

  it('checks tags and ecr entries', function () {
    assert.match(configError('tags:\n  - filter: "3.12-*"\n').message, /^regsize\.yaml:2: tags\[0\]\.repository: missing/);
    assert.match(configError('tags:\n  - repository: python:3.12\n').message, /^regsize\.yaml:2: tags\[0\]\.repository: "python:3\.12" names a tag/);
    assert.match(configError('tags:\n  - repository: python\n    regex: "(3.12"\n').message, /^regsize\.yaml:3: tags\[0\]\.regex: invalid regular expression/);
    assert.match(configError('tags:\n  - repository: python\n    limit: 0\n').message, /^regsize\.yaml:3: tags\[0\]\.limit: expected a whole number/);
    assert.match(configError('ecr:\n  - region: europe\n    repositories: [app]\n').message, /^regsize\.yaml:2: ecr\[0\]\.region: "europe" is not an AWS region/);
    assert.match(configError('ecr:\n  - region: eu-west-1\n').message, /^regsize\.yaml:2: ecr\[0\]: missing key repositories/);
    assert.match(configError('ecr:\n  - region: eu-west-1\n    repositories: [App]\n').message, /^regsize\.yaml:3: ecr\[0\]\.repositories\[0\]: "App" is not an ECR repository name/);
    assert.match(configError('ecr:\n  - region: eu-west-1\n    all: true\n    registryId: 12345\n').message, /^regsize\.yaml:4: ecr\[0\]\.registryId: "12345" is not an AWS account id/);
  });

  it('accepts the example config shipped in examples/', function () {
    const example = loadConfig(new URL('../../../examples/regsize.yaml', import.meta.url).pathname);
    assert.ok(example.images.length > 0 && example.defaults.maxSize !== undefined);
  });

  it('says when the file cannot be read', function () {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-config-'));
    assert.throws(() => loadConfig(join(dir, 'nope.yaml')), (e: unknown) => isRegsizeError(e) && e.code === 'CONFIG_INVALID' && /cannot read config .*nope\.yaml: no such file/.test(e.message));
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'images:\n  - alpine:3.20\n');
    assert.equal((loadConfig(file).images[0]?.ref as Reference | undefined)?.repository, 'library/alpine');
  });
});
