/** sizing/open.ts: any input opens through one call; a bad local path is one clear INVALID_INPUT line. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRegsizeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createSession } from '../../src/session.js';
import { openImage } from '../../src/sizing/open.js';

describe('openImage', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-open-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = () => ({ client: createSession({ logger: silentLogger }).client, platform: { os: 'linux', architecture: 'amd64' } as const, logger: silentLogger });

  it('says which path is wrong and how: missing, a file for oci:, a directory for an archive', async () => {
    const file = join(dir, 'app.tar');
    writeFileSync(file, 'not a tar');
    const cases: [string, RegExp][] = [
      [`oci-archive:${join(dir, 'nope.tar')}`, /no such file/],
      [`oci:${file}`, /is not a directory; oci: reads a layout directory \(use oci-archive:/],
      [`docker-archive:${dir}`, /is not a file; docker-archive reads a tar/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(openImage(input, ctx()), (e) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && message.test(e.message) && e.message.startsWith(input), input);
    }
  });

  it('refuses what is not an image reference before any request', async () => {
    await assert.rejects(openImage('UPPER/Case:tag', ctx()), (e) => isRegsizeError(e) && /must be lowercase/.test(e.message));
  });
});
