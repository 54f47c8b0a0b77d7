/**
 * bin/run.js opens the first registry's connection before oclif loads, reading the arguments
 * with the committed manifest's flags (src/cli/early-target.ts). It must pick the argument
 * oclif itself will take as the first image (compare) or the repository (tags), for every flag,
 * in every spelling, and open nothing when it is not sure.
 */
import assert from 'node:assert/strict';
import { Parser } from '@oclif/core';
import Compare from '../../commands/compare.js';
import Diff from '../../commands/diff.js';
import Layers from '../../commands/layers.js';
import Tags from '../../commands/tags.js';
import { earlyTarget } from '../../src/cli/early-target.js';
import { ROOT } from '../commands/run-in-process.js';

/** A value oclif accepts for each value flag of compare (a new flag fails here until it has one). */
const SAMPLE: Record<string, string> = {
  platform: 'linux/arm64',
  bandwidth: '5Mbps',
  units: 'iec',
  format: 'markdown',
  'max-size': '200MB',
  'max-increase': '10%',
  profile: 'prod',
  region: 'eu-west-1',
  timeout: '30',
  concurrency: '4',
  // Looks like a registry: taking it for the image would connect to the wrong host.
  'cache-dir': 'cache.example.com/dir',
  'tag-ttl': '5m',
  // tags
  filter: '3.12-*',
  regex: '^3\\.12',
  limit: '20',
  sort: 'version',
  verify: '2',
  // diff
  'max-download': '50MB',
  top: '5',
};

const IMAGE = 'reg.example.com:5443/team/app:1';
const want = { hostname: 'reg.example.com', port: 5443 };
const noProxy = {};

async function oclifFirstImage(argv: string[]): Promise<string | undefined> {
  const parsed = await Parser.parse(argv, { flags: Compare.flags, args: Compare.args, strict: false });
  return parsed.argv[0] as string | undefined;
}

async function oclifRepository(argv: string[]): Promise<string | undefined> {
  const parsed = await Parser.parse(argv, { flags: Tags.flags, args: Tags.args });
  return parsed.args.repository;
}

/** Each way oclif takes a flag: --name, --name value, --name=value, -c, --no-name. */
function spellingsOf(name: string, flag: { type: string; char?: string; allowNo?: boolean }): string[][] {
  const spellings: string[][] = [];
  if (flag.type === 'option') {
    const value = SAMPLE[name];
    assert.ok(value !== undefined, `give --${name} a sample value in this test`);
    spellings.push([`--${name}`, value], [`--${name}=${value}`]);
    if (flag.char) spellings.push([`-${flag.char}`, value]);
  } else {
    spellings.push([`--${name}`]);
    if (flag.char) spellings.push([`-${flag.char}`]);
    if (flag.allowNo) spellings.push([`--no-${name}`]);
  }
  return spellings;
}

describe('cli/early-target: the registry bin/run.js connects to early', () => {
  const flags = Object.entries(Compare.flags) as [string, { type: string; char?: string }][];

  it('agrees with oclif on every compare flag, before the image and spelled --flag value, --flag=value and -c', async () => {
    for (const [name, flag] of flags) {
      if (name === 'plain-http') continue;
      for (const s of spellingsOf(name, flag)) {
        const argv = [...s, IMAGE, 'python:3.12'];
        assert.equal(await oclifFirstImage(argv), IMAGE, `oclif: ${argv.join(' ')}`);
        assert.deepEqual(earlyTarget(argv, ROOT, noProxy), want, argv.join(' '));
        assert.deepEqual(earlyTarget(['compare', ...argv], ROOT, noProxy), want, `compare ${argv.join(' ')}`);
      }
    }
  });

  it('agrees with oclif on every layers and diff flag, before the image and after it', async () => {
    const commands = [
      ['layers', Layers, [IMAGE]],
      ['diff', Diff, [IMAGE, 'python:3.12']],
    ] as const;
    for (const [id, command, images] of commands) {
      for (const [name, flag] of Object.entries(command.flags) as [string, { type: string; char?: string; allowNo?: boolean }][]) {
        if (name === 'plain-http') continue;
        for (const s of spellingsOf(name, flag)) {
          for (const argv of [[...s, ...images], [...images, ...s]]) {
            const parsed = await Parser.parse(argv, { flags: command.flags, args: command.args as typeof Diff.args });
            assert.equal(Object.values(parsed.args)[0], IMAGE, `oclif: ${id} ${argv.join(' ')}`);
            assert.deepEqual(earlyTarget([id, ...argv], ROOT, noProxy), want, `${id} ${argv.join(' ')}`);
          }
        }
      }
    }
  });

  it('agrees with oclif on every tags flag, before the repository and after it, in every spelling', async () => {
    const repo = 'reg.example.com:5443/team/app';
    for (const [name, flag] of Object.entries(Tags.flags) as [string, { type: string; char?: string; allowNo?: boolean }][]) {
      if (name === 'plain-http') continue;
      for (const s of spellingsOf(name, flag)) {
        for (const argv of [[...s, repo], [repo, ...s]]) {
          assert.equal(await oclifRepository(argv), repo, `oclif: ${argv.join(' ')}`);
          assert.deepEqual(earlyTarget(['tags', ...argv], ROOT, noProxy), want, `tags ${argv.join(' ')}`);
        }
      }
    }
  });

  it('tags: connects where its first request goes, Docker Hub\'s own API while --hub-api is on (by default), else the registry', () => {
    const hub = { hostname: 'hub.docker.com', port: 443 };
    const registry = { hostname: 'registry-1.docker.io', port: 443 };
    assert.deepEqual(earlyTarget(['tags', 'python'], ROOT, noProxy), hub);
    assert.deepEqual(earlyTarget(['tags', 'bitnami/redis', '--filter', '7.*'], ROOT, noProxy), hub);
    assert.deepEqual(earlyTarget(['tags', 'python', '--no-hub-api'], ROOT, noProxy), registry);
    assert.deepEqual(earlyTarget(['tags', '--no-hub-api', '--hub-api', 'python'], ROOT, noProxy), hub, 'the last spelling wins, as in oclif');
    assert.deepEqual(earlyTarget(['tags', '--hub-api', 'python', '--no-hub-api'], ROOT, noProxy), registry, 'the last spelling wins, as in oclif');
    // Three path parts: no namespace/name pair for the Hub's API, so the registry (src/tags/size.ts).
    assert.deepEqual(earlyTarget(['tags', 'docker.io/a/b/c'], ROOT, noProxy), registry);
    assert.deepEqual(earlyTarget(['tags', 'ghcr.io/org/app'], ROOT, noProxy), { hostname: 'ghcr.io', port: 443 });
  });

  it('connects where the ping goes: Docker Hub\'s API host, port 443 by default', () => {
    assert.deepEqual(earlyTarget(['python:3.12-slim'], ROOT, noProxy), { hostname: 'registry-1.docker.io', port: 443 });
    assert.deepEqual(earlyTarget(['ghcr.io/org/app:1', 'python'], ROOT, noProxy), { hostname: 'ghcr.io', port: 443 });
    assert.deepEqual(earlyTarget(['--', IMAGE], ROOT, noProxy), want);
  });

  it('opens nothing when unsure, or when the first connection is not a TLS one to that host', () => {
    const none: [string[], NodeJS.ProcessEnv][] = [
      [[IMAGE, '--plain-http'], noProxy],
      [['--plain-http', IMAGE], noProxy],
      [[IMAGE], { HTTPS_PROXY: 'http://proxy:3128' }],
      [[IMAGE], { http_proxy: 'http://proxy:3128' }],
      [['--no-such-flag', IMAGE], noProxy],
      [['--help'], noProxy],
      [['compare', '--help', IMAGE], noProxy],
      [['layers', IMAGE, '--plain-http'], noProxy],
      [['layers', 'oci:./layout'], noProxy],
      [['diff', 'docker-archive:base.tar', IMAGE], noProxy],
      [['files', IMAGE], noProxy],
      [['tags', 'reg.example.com/team/app:1'], noProxy],
      [['tags', 'reg.example.com/team/app', 'python'], noProxy],
      [['tags', 'reg.example.com/team/app', '--plain-http'], noProxy],
      [['tags', '--help', 'reg.example.com/team/app'], noProxy],
      [['tags'], noProxy],
      [['oci:./layout', IMAGE], noProxy],
      [['docker-daemon:app:1', IMAGE], noProxy],
      [['NOT A REFERENCE'], noProxy],
      [['compare'], noProxy],
      [['layres', IMAGE], noProxy],
    ];
    for (const [args, env] of none) assert.equal(earlyTarget(args, ROOT, env), undefined, `${args.join(' ')} ${JSON.stringify(env)}`);
  });
});
