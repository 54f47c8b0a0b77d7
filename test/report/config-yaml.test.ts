/** Typed, located reads over a parsed config (src/report/config-yaml.ts). */
import assert from 'node:assert/strict';
import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import { isRegsizeError } from '../../src/errors.js';
import { Ctx } from '../../src/report/config-yaml.js';

function ctxOf(text: string): { ctx: Ctx; top: Map<string, Node> } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const ctx = new Ctx('cfg.yaml', lines, doc);
  const root = ctx.resolve(doc.contents);
  assert.ok(root && isMap(root));
  return { ctx, top: ctx.entries(root, '', ['a', 'b', 'c', 'size', 'list', 'alias']) };
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isRegsizeError(e) && e.code === 'CONFIG_INVALID', String(e));
    return e.message;
  }
  assert.fail('expected a located error');
}

describe('config YAML reads', function () {
  it('names the file, the line and the key of every error', function () {
    const { ctx, top } = ctxOf('a: 1\nb: true\n\nc: "  "\n');
    assert.equal(message(() => ctx.string(top.get('a') as Node, 'a')), 'cfg.yaml:1: a: expected text, got 1 (quote it)');
    assert.equal(message(() => ctx.string(top.get('c') as Node, 'c')), 'cfg.yaml:4: c: is empty');
    assert.equal(ctx.boolean(top.get('b') as Node, 'b'), true);
    assert.equal(message(() => ctx.positiveInteger(top.get('b') as Node, 'b')), 'cfg.yaml:2: b: expected a whole number of 1 or more');
  });

  it('refuses unknown keys with the closest known one, and keys that hold secrets', function () {
    assert.equal(message(() => ctxOf('a: 1\nsise: 2\n')), 'cfg.yaml:2: sise: unknown key (did you mean "size"?)');
    assert.match(message(() => ctxOf('password: hunter2\n')), /^cfg\.yaml:1: password: credentials do not belong in the config/);
    assert.equal(message(() => ctxOf('zzzzzz: 1\n')), 'cfg.yaml:1: zzzzzz: unknown key; expected a, b, c, size, list, alias');
  });

  it('reads sizes as the flags do, and refuses zero or fractional bytes', function () {
    const { ctx, top } = ctxOf('size: 1.5GiB\na: 0\nb: 2.5\n');
    assert.equal(ctx.size(top.get('size') as Node, 'size'), 1.5 * 2 ** 30);
    assert.match(message(() => ctx.size(top.get('a') as Node, 'a')), /^cfg\.yaml:2: a: invalid size 0/);
    assert.match(message(() => ctx.size(top.get('b') as Node, 'b')), /^cfg\.yaml:3: b: invalid size 2\.5/);
  });

  it('lists entries with their paths, follows aliases, and refuses empty entries', function () {
    const { ctx, top } = ctxOf('a: &x one\nlist:\n  - *x\n  - two\nalias:\n  - three\n  -\n');
    assert.deepEqual(ctx.list(top.get('list') as Node, 'list').map(({ node, path }) => [ctx.string(node, path), path]), [
      ['one', 'list[0]'],
      ['two', 'list[1]'],
    ]);
    assert.equal(message(() => ctx.list(top.get('alias') as Node, 'alias')), 'cfg.yaml:7: alias[1]: empty list entry');
    assert.match(message(() => ctx.list(top.get('a') as Node, 'a')), /^cfg\.yaml:1: a: expected a list/);
  });
});
