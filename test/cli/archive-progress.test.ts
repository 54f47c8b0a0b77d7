/**
 * archiveProgress (src/cli/archive-progress.ts): the bar of local layers being compressed is
 * drawn on a terminal for people, never with --json, and is gone once the sizing is done.
 */
import assert from 'node:assert/strict';
import { archiveProgress } from '../../src/cli/archive-progress.js';
import { CLEAR_LINE } from '../../src/render/progress.js';
import { onFakeTerminal } from '../helpers/fake-terminal.js';


describe('archiveProgress (src/cli/archive-progress.ts)', () => {
  it('draws "compressing layers" with the bytes done on a terminal, and clears the line when done', async () => {
    const written = await onFakeTerminal(() => {
      const p = archiveProgress(true);
      p.archive.onProgress?.(0, 3_000_000);
      p.archive.onProgress?.(3_000_000, 3_000_000);
      p.done();
    });
    assert.match(written, /\rcompressing layers .*3(\.0)? MB/);
    assert.ok(written.endsWith(CLEAR_LINE), JSON.stringify(written));
  });

  it('draws nothing for --json, even on a terminal', async () => {
    const written = await onFakeTerminal(() => {
      const p = archiveProgress(false);
      p.archive.onProgress?.(1, 2);
      p.done();
    });
    assert.equal(written, '');
  });
});
