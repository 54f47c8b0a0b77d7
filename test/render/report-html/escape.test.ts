/** Text into the HTML report (src/render/report-html/escape.ts). */
import assert from 'node:assert/strict';
import { breakable, esc } from '../../../src/render/report-html/escape.js';

describe('HTML report escaping', function () {
  it('leaves no character that starts a tag, an entity or ends an attribute', function () {
    const out = esc(`"><script>alert('x')</script>&amp;`);
    assert.doesNotMatch(out, /[<>"'&](?!#\d+;)/);
    assert.equal(out.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))), `"><script>alert('x')</script>&amp;`);
  });

  it('lets a reference wrap at its separators only, each piece escaped', function () {
    assert.equal(breakable('ghcr.io/org/app:1'), '<span class="nobr">ghcr.</span><wbr><span class="nobr">io/</span><wbr><span class="nobr">org/</span><wbr><span class="nobr">app:</span><wbr><span class="nobr">1</span>');
    assert.ok(!breakable('a/<b>').includes('<b>'));
  });
});
