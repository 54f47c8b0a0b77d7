/**
 * withLayerSizing and warnUnknownImages (src/cli/layer-sizing.ts): the options compare, layers
 * and diff pass to the library for --uncompressed/--exact and for local archives, and the
 * warning compare prints for an image whose uncompressed size is unknown.
 */
import assert from 'node:assert/strict';
import { warnUnknownImages, withLayerSizing } from '../../src/cli/layer-sizing.js';
import type { Logger } from '../../src/log.js';
import { createSession } from '../../src/session.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { onFakeTerminal } from '../helpers/fake-terminal.js';

describe('layer sizing options (src/cli/layer-sizing.ts)', () => {
  const { client } = createSession({ logger: { debug: () => {}, warn: () => {} } });
  const flags = (uncompressed: boolean, exact: boolean) => ({ uncompressed, exact, concurrency: 4 });

  it('passes an uncompressed sizer only with --uncompressed or --exact, and always the archive progress', async () => {
    for (const [uncompressed, exact, expected] of [
      [false, false, false],
      [true, false, true],
      [false, true, true],
    ] as const) {
      const o = await withLayerSizing(client, flags(uncompressed, exact), false, async (sizing) => sizing);
      assert.equal(o.uncompressed instanceof UncompressedSizer, expected, `uncompressed=${uncompressed} exact=${exact}`);
      assert.equal(typeof o.archive.onProgress, 'function');
    }
  });

  it('returns what the sizing returns, and passes its failure on with the bars cleared', async () => {
    assert.equal(await withLayerSizing(client, flags(false, false), false, async () => 42), 42);
    let failure: unknown;
    const written = await onFakeTerminal(async () => {
      failure = await withLayerSizing(client, flags(false, true), true, async (sizing) => {
        sizing.archive.onProgress?.(0, 10);
        throw new Error('registry gone');
      }).catch((e: unknown) => e);
    });
    assert.equal((failure as Error).message, 'registry gone');
    // The compressing bar was drawn, then cleared: the terminal's last word is the clear.
    assert.match(written, /compressing layers/);
    assert.ok(written.endsWith('\r\x1b[K'), JSON.stringify(written));
  });

  it('warns once for each image whose uncompressed size is unknown, and not for failed or unasked ones', () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, warn: (l) => warnings.push(l) };
    warnUnknownImages(logger, [
      { reference: 'app:1', uncompressedSize: null },
      { reference: 'app:2', uncompressedSize: 1234 },
      { reference: 'app:3' },
      { error: { code: 'NETWORK', message: 'down' } },
    ]);
    assert.deepEqual(warnings, ['app:1: uncompressed size unknown for some layers; regsize layers app:1 --uncompressed says which and why']);
  });
});
