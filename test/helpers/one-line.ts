/** The one-line rule for errors: what every usage failure must look like. */
import assert from 'node:assert/strict';
import type { InProcessResult } from '../commands/run-in-process.js';

/** Exit `code`, exactly one `regsize: ` line on stderr, no stack. */
export function oneLineError(r: InProcessResult, code: number): string {
  assert.equal(r.exitCode, code, `exit ${r.exitCode}, stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one stderr line expected:\n${r.stderr}`);
  const line = lines[0] as string;
  assert.match(line, /^regsize: \S/);
  assert.doesNotMatch(r.stderr, /\n\s+at |The following error|::|Note: |See more help/);
  return line;
}
