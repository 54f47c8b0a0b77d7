/**
 * closeCommand (src/cli/command-typo.ts): which first words are mistyped commands rather than
 * images. Routing as a whole (and the list of popular image names that must stay images) is in
 * route.test.ts.
 */
import assert from 'node:assert/strict';
import { closeCommand } from '../../src/cli/command-typo.js';

const WORDS = ['compare', 'diff', 'files', 'layers', 'tags', 'ecr', 'report'];

describe('closeCommand (src/cli/command-typo.ts)', () => {
  it('allows one edit in words of up to 4 letters, two in longer ones', () => {
    assert.equal(closeCommand('tgs', WORDS), 'tags');
    assert.equal(closeCommand('tg', WORDS), undefined, '"tg" is two edits from "tags"');
    assert.equal(closeCommand('lyrs', WORDS), undefined, 'a 4-letter word two edits away');
    assert.equal(closeCommand('lyers', WORDS), 'layers');
    assert.equal(closeCommand('lyer', WORDS), undefined);
    assert.equal(closeCommand('cmopar', WORDS), 'compare', 'a swap and a deletion: two edits');
    assert.equal(closeCommand('cpmoar', WORDS), undefined, 'three edits');
  });

  it('counts a swap of two neighbours as one edit, and ignores case', () => {
    assert.equal(closeCommand('comapre', WORDS), 'compare');
    assert.equal(closeCommand('REPORT', WORDS), 'report');
    assert.equal(closeCommand('Fiels', WORDS), 'files');
  });

  it('never takes a word with a registry, path, tag, digest or dash for a command', () => {
    for (const word of ['tag:1', 'org/tags', 'tags.io', 'tags@sha256', '-tags', '--tags']) assert.equal(closeCommand(word, WORDS), undefined, word);
  });

  it('answers the closest word when several are in reach', () => {
    // "dif" is one edit from "diff" and further from everything else.
    assert.equal(closeCommand('dif', ['diff', 'dig-deep']), 'diff');
    assert.equal(closeCommand('tags', ['tag', 'tags']), 'tags');
  });
});
