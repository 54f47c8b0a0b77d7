/** Values pasted into a shell (src/render/shell-quote.ts): the shell itself is the oracle. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote } from '../../src/render/shell-quote.js';

describe('shellQuote', function () {
  it('reaches a POSIX shell as the exact argument, running nothing', function () {
    for (const value of ["team/app", "it's", "app$(touch /nonexistent/PWNED);`id`", "a'b'c", "", "*", "new\nline"]) {
      const seen = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
      assert.equal(seen, value);
    }
  });
});
