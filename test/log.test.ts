/** src/log.ts: --verbose lines and warnings go to stderr (never stdout), terminal-safe, with the regsize: prefix. */
import assert from 'node:assert/strict';
import { silentLogger, stderrLogger } from '../src/log.js';

/** What `fn` writes to stdout and stderr. */
function capture(fn: () => void): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((c: string) => ((out.stdout += c), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((out.stderr += c), true)) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
  return out;
}

describe('log', () => {
  it('verbose: debug lines and warnings on stderr, each one line with its prefix', () => {
    const out = capture(() => {
      const log = stderrLogger(true);
      log.debug('GET https://r/v2/ 200 3ms 0 B');
      log.warn('cache folder not writable');
    });
    assert.equal(out.stdout, '');
    assert.equal(out.stderr, 'regsize: GET https://r/v2/ 200 3ms 0 B\nregsize: warning: cache folder not writable\n');
  });

  it('not verbose: warnings only', () => {
    const out = capture(() => {
      const log = stderrLogger(false);
      log.debug('hidden');
      log.warn('shown');
    });
    assert.equal(out.stderr, 'regsize: warning: shown\n');
  });

  it('a registry\'s text cannot act on the terminal (escape sequences, line breaks)', () => {
    const out = capture(() => stderrLogger(true).debug('tag \u001b]0;pwned\u0007 next\nline'));
    assert.ok(!out.stderr.includes('\u001b') && !out.stderr.includes('\u0007'), JSON.stringify(out.stderr));
    assert.equal(out.stderr.split('\n').length, 2, 'one line');
  });

  it('says whether it wants debug lines, so a hot path can skip building them', () => {
    assert.deepEqual([stderrLogger(true).verbose, stderrLogger(false).verbose, silentLogger.verbose], [true, false, false]);
  });

  it('the silent logger writes nothing', () => {
    assert.deepEqual(capture(() => (silentLogger.debug('x'), silentLogger.warn('y'))), { stdout: '', stderr: '' });
  });
});
