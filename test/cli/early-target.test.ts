/**
 * bin/run.js opens the first registry's connection before oclif loads, reading the arguments
 * with the committed manifest's flags (src/cli/early-target.ts). It must pick the argument
 * oclif itself will take as the first image, for every compare flag, in every spelling, and
 * open nothing when it is not sure.
 */
import assert from 'node:assert/strict';
import { Parser } from '@oclif/core';
import Compare from '../../commands/compare.js';
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
};

const IMAGE = 'reg.example.com:5443/team/app:1';
const want = { hostname: 'reg.example.com', port: 5443 };
const noProxy = {};

async function oclifFirstImage(argv: string[]): Promise<string | undefined> {
  const parsed = await Parser.parse(argv, { flags: Compare.flags, args: Compare.args, strict: false });
  return parsed.argv[0] as string | undefined;
}

describe('cli/early-target: the registry bin/run.js connects to early', () => {
  const flags = Object.entries(Compare.flags) as [string, { type: string; char?: string }][];

  it('agrees with oclif on every compare flag, before the image and spelled --flag value, --flag=value and -c', async () => {
    for (const [name, flag] of flags) {
      if (name === 'plain-http') continue;
      const spellings: string[][] = [];
      if (flag.type === 'option') {
        const value = SAMPLE[name];
        assert.ok(value !== undefined, `give --${name} a sample value in this test`);
        spellings.push([`--${name}`, value], [`--${name}=${value}`]);
        if (flag.char) spellings.push([`-${flag.char}`, value]);
      } else {
        spellings.push([`--${name}`]);
        if (flag.char) spellings.push([`-${flag.char}`]);
      }
      for (const s of spellings) {
        const argv = [...s, IMAGE, 'python:3.12'];
        assert.equal(await oclifFirstImage(argv), IMAGE, `oclif: ${argv.join(' ')}`);
        assert.deepEqual(earlyTarget(argv, ROOT, noProxy), want, argv.join(' '));
        assert.deepEqual(earlyTarget(['compare', ...argv], ROOT, noProxy), want, `compare ${argv.join(' ')}`);
      }
    }
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
      [['layers', IMAGE], noProxy],
      [['tags', 'reg.example.com/team/app'], noProxy],
      [['oci:./layout', IMAGE], noProxy],
      [['docker-daemon:app:1', IMAGE], noProxy],
      [['NOT A REFERENCE'], noProxy],
      [['compare'], noProxy],
      [['layres', IMAGE], noProxy],
    ];
    for (const [args, env] of none) assert.equal(earlyTarget(args, ROOT, env), undefined, `${args.join(' ')} ${JSON.stringify(env)}`);
  });
});
