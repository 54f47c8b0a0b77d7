/**
 * The README and the commands agree on flags: every flag a command has (from the committed
 * oclif.manifest.json, what `--help` prints) is documented, and every `regsize ...` command
 * line in the README uses only flags its command has. A renamed or removed flag fails here
 * rather than in a user's shell.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../commands/run-in-process.js';

interface Manifest {
  commands: Record<string, { flags: Record<string, { allowNo?: boolean; type?: string }> }>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const FLAG = /(?<![\w-])--([a-z][a-z0-9-]+)/g;
/** Flags oclif answers for every command without declaring them. */
const GLOBAL = ['help', 'version'];

function flagsOf(id: string): Set<string> {
  const flags = manifest.commands[id]?.flags ?? {};
  const names = new Set(GLOBAL);
  for (const [name, f] of Object.entries(flags)) {
    names.add(name);
    if (f.allowNo) names.add(`no-${name}`);
  }
  return names;
}

/** The command a README command line runs: `regsize ecr audit ...`, or compare for `regsize IMAGE...`. */
function commandOf(words: string[]): string | undefined {
  const ids = Object.keys(manifest.commands).sort((a, b) => b.length - a.length);
  for (const id of ids) {
    const parts = id.split(':');
    if (parts.every((p, i) => words[i] === p)) return id;
  }
  // ecr alone is a topic; autocomplete is a plugin's command, with flags of its own.
  return words[0] === 'ecr' || words[0] === 'autocomplete' ? undefined : 'compare';
}

/** Every `regsize ...` command line of the README: in code blocks, and in inline code. */
function commandLines(): { line: string; id: string | undefined; flags: string[] }[] {
  const found = [];
  for (const line of readme.split('\n')) {
    for (const m of line.matchAll(/(?:^|[`(]|\$ )regsize ([^`|#\n]*)/g)) {
      const span = m[1] as string;
      found.push({ line, id: commandOf(span.split(/\s+/)), flags: [...span.matchAll(FLAG)].map((f) => f[1] as string) });
    }
  }
  return found;
}

describe('README flags match the commands (oclif.manifest.json)', () => {
  const named = new Set([...readme.matchAll(FLAG)].map((m) => m[1] as string));

  for (const id of Object.keys(manifest.commands)) {
    it(`every flag of "${id.replace(':', ' ')}" is documented`, () => {
      const missing = [...flagsOf(id)].filter((f) => !GLOBAL.includes(f) && !named.has(f) && !(manifest.commands[id]?.flags[f]?.allowNo && named.has(`no-${f}`)));
      assert.deepEqual(missing, [], `README never names ${missing.map((f) => `--${f}`).join(', ')}`);
    });
  }

  it('every regsize command line in the README uses flags its command has', () => {
    const lines = commandLines();
    assert.ok(lines.length > 30, `only ${lines.length} command lines found: the pattern no longer reads the README`);
    const wrong = lines.filter((l) => l.id !== undefined).flatMap((l) => l.flags.filter((f) => !flagsOf(l.id as string).has(f)).map((f) => `--${f} (${l.id}): ${l.line.trim()}`));
    assert.deepEqual(wrong, []);
  });

  it("every row of compare's flag table is a flag of compare", () => {
    const table = readme.split('\n').filter((l) => l.startsWith('| `--'));
    assert.ok(table.length > 10);
    const compare = flagsOf('compare');
    const wrong = table.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(FLAG)].map((m) => m[1] as string).filter((f) => !compare.has(f)));
    assert.deepEqual(wrong, []);
  });

  it('--platform all is offered, in help and in README command lines, only by the commands that accept it', () => {
    const offering = Object.entries(manifest.commands)
      .filter(([, c]) => /"all"/.test((c.flags.platform as { description?: string } | undefined)?.description ?? ''))
      .map(([id]) => id)
      .sort();
    // layers and diff show one platform and refuse "all" (test/cli/usage.test.ts runs each).
    assert.deepEqual(offering, ['compare', 'report', 'tags']);
    const wrong = commandLines().filter((l) => /--platform[ =]all\b/.test(l.line) && l.id !== undefined && !offering.includes(l.id));
    assert.deepEqual(wrong.map((l) => l.line), []);
  });
});
