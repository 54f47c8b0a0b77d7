/** Text of the files report (src/render/files.ts): file names are the image author's, shown as text. */
import assert from 'node:assert/strict';
import { escapeMarkdown, printable } from '../../src/render/files.js';

describe('files report text', function () {
  it('writes control characters as \\xNN, so a file name cannot drive the terminal', function () {
    assert.equal(printable('a\u001b[31mred\u0007\u009b'), 'a\\x1b[31mred\\x07\\x9b');
    assert.equal(printable('usr/lib/ok.so'), 'usr/lib/ok.so');
  });

  it('escapes markdown syntax so a file name stays text', function () {
    assert.equal(escapeMarkdown('*[x](http://evil)*'), '\\*\\[x\\](http://evil)\\*');
    assert.equal(escapeMarkdown('<img src=x>'), '\\<img src=x\\>');
    assert.equal(escapeMarkdown('`a_b`'), '\\`a\\_b\\`');
  });
});
