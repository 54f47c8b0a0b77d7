/**
 * Registry text in markdown renders literally. No markdown parser is a dependency, so the
 * escaped text is asserted exactly (CommonMark 0.31 backslash escapes), and no link, image,
 * HTML tag or mention survives unescaped.
 */
import assert from 'node:assert/strict';
import { literal, markdownCode, markdownText } from '../../src/render/markdown-text.js';

const ZWSP = '\u200b';

describe('markdownText: registry text rendered literally in markdown', () => {
  it('escapes links, images and emphasis', () => {
    assert.equal(markdownText('![x](http://evil/p.png)'), '\\!\\[x\\]\\(http://evil/p.png\\)');
    assert.equal(markdownText('**[log in here](http://evil/login)**'), '\\*\\*\\[log in here\\]\\(http://evil/login\\)\\*\\*');
    assert.equal(markdownText('_a_ ~~b~~ `c`'), '\\_a\\_ \\~\\~b\\~\\~ \\`c\\`');
  });

  it('turns HTML into text, and entities too', () => {
    assert.equal(markdownText('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert\\(1\\)&gt;');
    assert.equal(markdownText('&lt;b&gt; &#60;'), '&amp;lt;b&amp;gt; &amp;#60;');
    assert.equal(markdownText('make && make install'), 'make && make install');
  });

  it('neutralises mentions: a zero-width space after every @', () => {
    assert.equal(markdownText('@everyone @org/team'), `@${ZWSP}everyone @${ZWSP}org/team`);
  });

  it('escapes pipes, backslashes and control characters, so no cell or line is broken', () => {
    assert.equal(markdownText('a|b\\c'), 'a\\|b\\\\c');
    // terminalSafe shows the newline as \x0a; its backslash is then escaped to print as one.
    assert.equal(markdownText('one\ntwo\x1b[2J'), 'one\\\\x0atwo\\\\x1b\\[2J');
  });

  it('escapes what would open a heading, a list or a numbered list at the start of a line', () => {
    assert.equal(markdownText('# title'), '\\# title');
    assert.equal(markdownText('- item'), '\\- item');
    assert.equal(markdownText('+ item'), '\\+ item');
    assert.equal(markdownText('1. item'), '1\\. item');
  });

  it('leaves ordinary names readable', () => {
    assert.equal(markdownText('linux/arm64/v8'), 'linux/arm64/v8');
    assert.equal(markdownText('python:3.12-slim'), 'python:3.12-slim');
  });

  it('leaves no link, image, tag or mention in a hostile message', () => {
    const out = markdownText('pull denied ![x](http://e/i.png) **[log in here](http://e/l)** @everyone <script>alert(1)</script> @here');
    for (const bad of ['](', '<', '@everyone', '@here', '**', '![']) assert.ok(!out.includes(bad), `${bad} survived in ${out}`);
  });
});

describe('markdownCode: registry text as a code span', () => {
  it('keeps the text, replaces only the backtick that would close the span and control characters', () => {
    assert.equal(markdownCode('ghcr.io/org/app:1'), '`ghcr.io/org/app:1`');
    assert.equal(markdownCode('a`b\x1b'), "`a'b\\x1b`");
  });
});

describe('literal: one call for either style', () => {
  it('is markdownText in markdown and terminalSafe in plain text', () => {
    assert.equal(literal('*x*\x1b', 'markdown'), '\\*x\\*\\\\x1b');
    assert.equal(literal('*x*\x1b', 'plain'), '*x*\\x1b');
  });
});
