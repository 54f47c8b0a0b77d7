/**
 * editDistance is the optimal string alignment distance. Checked against published values and
 * two independent oracles: plain Levenshtein (no swaps: an upper bound) and a breadth-first
 * search over single edits, swaps included (the true edit distance: a lower bound).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { editDistance } from '../../src/util/edit-distance.js';

/** Levenshtein by memoised recursion (insert, delete, substitute). */
function levenshtein(a: string, b: string): number {
  const memo = new Map<string, number>();
  const go = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = Math.min(go(i - 1, j) + 1, go(i, j - 1) + 1, go(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
    memo.set(key, v);
    return v;
  };
  return go(a.length, b.length);
}

/** Fewest single edits (insert, delete, substitute, swap neighbours) from a to b, by BFS. */
function fewestEdits(a: string, b: string, alphabet: string): number {
  // No shortest path needs a word longer than both ends by more than one letter.
  const longest = Math.max(a.length, b.length) + 1;
  const seen = new Set([a]);
  let frontier = [a];
  for (let steps = 0; ; steps++) {
    if (frontier.includes(b)) return steps;
    const next: string[] = [];
    for (const s of frontier) {
      const around: string[] = [];
      for (let i = 0; i <= s.length; i++) for (const c of alphabet) around.push(s.slice(0, i) + c + s.slice(i));
      for (let i = 0; i < s.length; i++) {
        around.push(s.slice(0, i) + s.slice(i + 1));
        for (const c of alphabet) around.push(s.slice(0, i) + c + s.slice(i + 1));
        if (i + 1 < s.length) around.push(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2));
      }
      for (const t of around) {
        if (t.length > longest || seen.has(t)) continue;
        seen.add(t);
        next.push(t);
      }
    }
    frontier = next;
  }
}

describe('util/edit-distance', () => {
  it('gives the published distances', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('flaw', 'lawn'), 2);
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', ''), 3);
    // A swap of neighbours is one edit...
    assert.equal(editDistance('comapre', 'compare'), 1);
    assert.equal(editDistance('ab', 'ba'), 1);
    // ...but no substring is edited twice: "CA" -> "ABC" is 3 here (2 with unrestricted swaps).
    assert.equal(editDistance('CA', 'ABC'), 3);
  });

  it('lies between the true edit distance and Levenshtein, is symmetric, and is 0 only for equal words', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 4 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        assert.equal(d, editDistance(b, a));
        assert.equal(d === 0, a === b);
        assert.ok(d <= levenshtein(a, b), `${a} -> ${b}: ${d} > Levenshtein ${levenshtein(a, b)}`);
        assert.ok(d >= fewestEdits(a, b, 'abc'), `${a} -> ${b}: ${d} < fewest edits ${fewestEdits(a, b, 'abc')}`);
      }),
      { numRuns: 300 },
    );
  });

  it('equals Levenshtein for words with no letter in common order to swap', () => {
    // With every letter distinct within each word and no shared neighbours swapped, a swap never helps.
    assert.equal(editDistance('abcdef', 'azced'), levenshtein('abcdef', 'azced'));
    assert.equal(editDistance('registry', 'regsitry'), 1);
    assert.equal(levenshtein('registry', 'regsitry'), 2);
  });
});
