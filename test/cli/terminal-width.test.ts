/** tableWidth (src/cli/terminal-width.ts): a terminal's width, nothing for pipes or with --wide. */
import assert from 'node:assert/strict';
import { tableWidth } from '../../src/cli/terminal-width.js';

describe('tableWidth (src/cli/terminal-width.ts)', () => {
  it("is the terminal's width on a terminal", () => {
    assert.equal(tableWidth(false, { isTTY: true, columns: 132 }), 132);
  });
  it('is none with --wide, for a pipe or a file, and when the terminal reports no width', () => {
    assert.equal(tableWidth(true, { isTTY: true, columns: 132 }), undefined);
    assert.equal(tableWidth(false, { isTTY: false, columns: 132 }), undefined);
    assert.equal(tableWidth(false, {}), undefined);
    assert.equal(tableWidth(false, { isTTY: true, columns: 0 }), undefined);
    assert.equal(tableWidth(false, { isTTY: true }), undefined);
  });
});
