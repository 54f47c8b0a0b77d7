/**
 * The glue `regsize files` and `diff --files` share (src/cli/files-flags.ts): the plan line
 * announced before any layer is read, the options taken from the flags, and how a result is
 * reported (warnings, table, exit 1 for unreadable layers, packages only when asked).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesOptionsFromFlags, type FilesFlagValues, planLine, runFiles } from '../../src/cli/files-flags.js';
import type { FilesResult } from '../../src/files/analyse.js';
import { noListingCache } from '../../src/files/listing-cache.js';
import type { Logger } from '../../src/log.js';
import { parseBandwidth } from '../../src/units.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (l) => warnings.push(l) };
}

function flags(over: Partial<FilesFlagValues> = {}): FilesFlagValues {
  const bw = parseBandwidth('5Mbps');
  return { bandwidth: { first: bw, list: [bw] }, 'max-download': { bytes: 100e6, label: '100MB' }, top: 5, concurrency: 64, units: 'si', 'no-cache': true, format: 'table', packages: false, ...over };
}

function result(over: Partial<FilesResult> = {}): FilesResult {
  return {
    reference: 'app:1',
    platform: 'linux/amd64',
    manifestDigest: digest('a'),
    bytesDownloaded: 0,
    layers: [],
    largest: [],
    directories: [],
    wasted: { bytes: 0, efficiency: 1, files: [] },
    hints: [],
    packages: [{ manager: 'apk', name: 'musl', version: '1.2.5', size: 600_000, layer: 1 }],
    warnings: [],
    ...over,
  };
}

describe('files flags (src/cli/files-flags.ts)', () => {
  describe('planLine', () => {
    it('says when every listing is cached', () => {
      assert.equal(planLine({ layers: [], bytes: 0 }, parseBandwidth('5Mbps'), 'si'), 'every layer listing needed is cached: nothing to download');
    });
    it('counts layers and bytes, and the time at the first bandwidth', () => {
      // 2.5 MB at 5 Mbit/s: 20 Mbit / 5 Mbit/s = 4 s.
      assert.equal(planLine({ layers: [{ index: 1, digest: digest('b'), size: 2_500_000 }], bytes: 2_500_000 }, parseBandwidth('5Mbps'), 'si'), 'downloading 1 layer to list their files: 2.5 MB, about 4.0s at 5Mbps');
      // 60 MB at 1 MB/s is a minute.
      const two = { layers: [{ index: 1, digest: digest('b'), size: 20e6 }, { index: 3, digest: digest('c'), size: 40e6 }], bytes: 60e6 };
      assert.equal(planLine(two, parseBandwidth('1MB/s'), 'si'), 'downloading 2 layers to list their files: 60 MB, about 1m 00s at 1MB/s');
    });
  });

  describe('filesOptionsFromFlags', () => {
    it('takes the limit and --top, caps layer reads at 8, and announces the plan as one stderr line', () => {
      const o = filesOptionsFromFlags(flags(), recorder(), false);
      assert.equal(o.maxDownload, 100e6);
      assert.equal(o.top, 5);
      assert.equal(o.concurrency, 8);
      assert.equal(filesOptionsFromFlags(flags({ concurrency: 3 }), recorder(), false).concurrency, 3);
      assert.equal(o.cache, noListingCache, '--no-cache reads and writes no listing');
      let err = '';
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
      try {
        o.onPlan?.({ layers: [], bytes: 0 });
      } finally {
        process.stderr.write = write;
        o.done();
      }
      assert.equal(err, 'regsize: every layer listing needed is cached: nothing to download\n');
    });
    it('keeps listings in the cache folder unless --no-cache', () => {
      const dir = mkdtempSync(join(tmpdir(), 'regsize-files-flags-'));
      try {
        const o = filesOptionsFromFlags(flags({ 'no-cache': false, 'cache-dir': dir }), recorder(), false);
        assert.notEqual(o.cache, noListingCache);
        o.done();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('runFiles', () => {
    const saved = process.exitCode;
    afterEach(() => {
      process.exitCode = saved;
    });

    it('warns with the image named, prints the table for people, and leaves packages out unless --packages', async () => {
      const log = recorder();
      const printed: string[] = [];
      process.exitCode = undefined;
      const r = await runFiles(async () => result({ warnings: ['layer 2 is not a tar'] }), flags(), log, { human: true, log: (t) => printed.push(t) });
      assert.deepEqual(log.warnings, ['app:1: layer 2 is not a tar']);
      assert.equal(printed.length, 1);
      assert.match(printed[0] ?? '', /app:1/);
      assert.deepEqual(r.packages, []);
      assert.equal(process.exitCode, undefined);
      assert.equal((await runFiles(async () => result(), flags({ packages: true }), log, { human: false, log: (t) => printed.push(t) })).packages.length, 1);
      assert.equal(printed.length, 1, 'nothing printed for --json');
    });

    it('exits 1 when a layer could not be read, the result still returned', async () => {
      process.exitCode = undefined;
      const r = await runFiles(async () => result({ failedLayers: 1 }), flags(), recorder(), { human: false, log: () => {} });
      assert.equal(r.failedLayers, 1);
      assert.equal(process.exitCode, 1);
    });
  });
});
