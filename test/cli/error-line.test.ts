/**
 * The CLI's one-line error, and warnings on stderr: whatever a message quotes (a registry's
 * error body, a tag, a file name), it reaches the terminal as one line with no control
 * character, while --json keeps the message exact.
 */
import assert from 'node:assert/strict';
import Report from '../../commands/report/index.js';
import { stderrFailures, stderrLine, stderrTrace } from '../../src/cli/error-line.js';
import { stderrLogger } from '../../src/log.js';
import { runInProcess } from '../commands/run-in-process.js';

const HOSTILE = '/nonexistent/\x1b]0;pwned\x07\x1b[2J\u202e\nregsize: forged line.yaml';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('error and warning lines on stderr', () => {
  it('prints an error quoting hostile text as one line, control characters shown', async () => {
    const r = await runInProcess(Report, ['--config', HOSTILE, '--no-history']);
    assert.equal(r.exitCode, 2);
    // The newline is folded into "; " (one line); the rest is shown, not obeyed.
    assert.equal(r.stderr, 'regsize: cannot read config /nonexistent/\\x1b]0;pwned\\x07\\x1b[2J\\u202e; regsize: forged line.yaml: no such file (pass --config FILE; see examples/regsize.yaml)\n');
  });

  it('keeps the control characters exact in --json, where JSON escaping makes them inert', async () => {
    const r = await runInProcess(Report, ['--config', HOSTILE, '--no-history', '--json']);
    assert.equal(r.exitCode, 2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(doc.error.message, `cannot read config ${HOSTILE.replace('\n', '; ')}: no such file (pass --config FILE; see examples/regsize.yaml)`);
    assert.ok(!RAW_CONTROL.test(r.stdout.replace(/\n/g, '')), 'raw control character in the JSON text');
  });

  it('writes warnings and --verbose lines terminal-safe', () => {
    let err = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
    try {
      const logger = stderrLogger(true);
      logger.warn('tag v1\x1b]8;;http://evil/\x07x\nregsize: forged');
      logger.debug('GET \x9b2J');
    } finally {
      process.stderr.write = write;
    }
    assert.equal(err, 'regsize: warning: tag v1\\x1b]8;;http://evil/\\x07x\\x0aregsize: forged\nregsize: GET \\x9b2J\n');
  });
});

describe('the error-line writer (src/cli/error-line.ts)', () => {
  const sink = () => {
    const out = { text: '', write: (t: string) => ((out.text += t), true) };
    return out;
  };

  it('writes one "regsize: " line, with control characters and newlines shown', () => {
    const out = sink();
    stderrLine('no tags of repo\x1b[2J match\nregsize: forged', out);
    assert.equal(out.text, 'regsize: no tags of repo\\x1b[2J match\\x0aregsize: forged\n');
  });

  it('writes one line per failed image, naming each', () => {
    const out = sink();
    stderrFailures(
      [
        { reference: 'python:3.99', error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } },
        { reference: 'alpine:\x1b]0;x', error: { code: 'UNAUTHORIZED', message: 'denied' } },
      ],
      out,
    );
    assert.equal(out.text, 'regsize: python:3.99: manifest unknown [MANIFEST_UNKNOWN]\nregsize: alpine:\\x1b]0;x: denied [UNAUTHORIZED]\n');
  });

  it('keeps the lines of a --debug trace, each terminal-safe', () => {
    const out = sink();
    stderrTrace('Error: bad \x1b[31mred\n    at f (file.js:1:1)', out);
    assert.equal(out.text, 'Error: bad \\x1b[31mred\n    at f (file.js:1:1)\n');
  });
});
