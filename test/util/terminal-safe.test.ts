import assert from 'node:assert/strict';
import { jsonTerminalSafe, terminalSafe } from '../../src/util/terminal-safe.js';

describe('terminalSafe: untrusted text on one terminal line', () => {
  it('shows ESC/OSC/CSI sequences, C0, DEL and C1 controls visibly instead of sending them', () => {
    assert.equal(terminalSafe('v1\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07'), 'v1\\x1b]8;;http://evil.example/\\x07click\\x1b]8;;\\x07');
    assert.equal(terminalSafe('\x1b[2J\x1b]0;pwned\x07'), '\\x1b[2J\\x1b]0;pwned\\x07');
    assert.equal(terminalSafe('a\x00b\x7fc\x9b31md\x85e'), 'a\\x00b\\x7fc\\x9b31md\\x85e');
  });

  it('keeps a message on one line: newline, carriage return and tab are shown, not obeyed', () => {
    assert.equal(terminalSafe('first\nregsize: fake line\r\tx'), 'first\\x0aregsize: fake line\\x0d\\x09x');
  });

  it('shows bidi overrides and isolates, which reorder what the user reads', () => {
    assert.equal(terminalSafe('invoice\u202egpj.exe'), 'invoice\\u202egpj.exe');
    assert.equal(terminalSafe('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069'), '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069');
  });

  it('leaves printable text, non-ASCII letters and emoji alone, and is idempotent', () => {
    const fine = 'ghcr.io/org/app:1.2 Größe 大小 📦 ″ …';
    assert.equal(terminalSafe(fine), fine);
    const once = terminalSafe('x\x1b[31my\u202e');
    assert.equal(terminalSafe(once), once);
  });
});

describe('jsonTerminalSafe: JSON that parses the same and cannot act on a terminal', () => {
  it('escapes what JSON.stringify leaves raw (DEL, C1, bidi, U+2028/2029), and the value is unchanged', () => {
    const value = { tag: 'a\x7fb\x9b2Jc\u202ed\u2028e\u2066f', n: -1 };
    const text = jsonTerminalSafe(JSON.stringify(value));
    assert.equal(text, '{"tag":"a\\u007fb\\u009b2Jc\\u202ed\\u2028e\\u2066f","n":-1}');
    assert.deepEqual(JSON.parse(text), value);
  });
});
