/**
 * BaseCommand (src/cli/base-command.ts): every failure ends as one terminal-safe line on stderr
 * with the documented exit code, in human and --json mode; a bug says it is one; a stack trace
 * only when --debug was parsed as the flag. A probe command throws what each case needs.
 */
import assert from 'node:assert/strict';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { debugFlag } from '../../src/cli/flags.js';
import { RegsizeError, UsageError } from '../../src/errors.js';
import { runInProcess } from '../commands/run-in-process.js';
import { oneLineError } from '../helpers/one-line.js';

class Probe extends BaseCommand {
  static override strict = false;
  static override args = { what: Args.string({ required: true, options: ['usage', 'network', 'bug', 'answer'] }) };
  static override flags = { debug: debugFlag };

  async run(): Promise<unknown> {
    const { args } = await this.parse(Probe);
    if (args.what === 'usage') throw new UsageError('INVALID_INPUT', 'bad tag "v1\x1b]0;pwned\x07"');
    if (args.what === 'network') throw new RegsizeError('NETWORK', 'registry.example: connection refused');
    if (args.what === 'bug') throw new TypeError("Cannot read properties of undefined (reading 'x\x1b[2J')");
    return { text: 'a\u202eb' };
  }
}

const STACK_LINE = /^\s+at /m;

describe('BaseCommand (src/cli/base-command.ts)', () => {
  it('a usage error: one line, exit 2, control characters shown rather than obeyed', async () => {
    const line = oneLineError(await runInProcess(Probe, ['usage']), 2);
    assert.equal(line, 'regsize: bad tag "v1\\x1b]0;pwned\\x07"');
  });

  it('an error from a registry: exit 1; with --json the error is a document on stdout too', async () => {
    assert.equal(oneLineError(await runInProcess(Probe, ['network']), 1), 'regsize: registry.example: connection refused');
    const r = await runInProcess(Probe, ['network', '--json']);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'NETWORK', message: 'registry.example: connection refused' } });
  });

  it("oclif's own parse errors are usage errors (exit 2, INVALID_INPUT)", async () => {
    const r = await runInProcess(Probe, ['nonsense', '--json']);
    assert.equal(r.exitCode, 2);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'INVALID_INPUT');
  });

  it('an unexpected exception is INTERNAL: exit 1, and a line that says it is a bug, with no stack', async () => {
    const r = await runInProcess(Probe, ['bug']);
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, "regsize: Cannot read properties of undefined (reading 'x\\x1b[2J')\nregsize: this is a bug; run again with --debug and report the trace\n");
  });

  it('--debug prints the stack, each line terminal-safe', async () => {
    const r = await runInProcess(Probe, ['bug', '--debug']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, STACK_LINE);
    assert.match(r.stderr, /^TypeError: Cannot read properties of undefined \(reading 'x\\x1b\[2J'\)$/m);
    assert.ok(!r.stderr.includes('\x1b'), 'a raw escape character reached stderr');
    assert.doesNotMatch(r.stderr, /this is a bug/);
  });

  it('"--debug" after -- is an argument, not the flag: no stack', async () => {
    const r = await runInProcess(Probe, ['bug', '--', '--debug']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    assert.match(r.stderr, /this is a bug/);
  });

  it('--json output is exact JSON with nothing a terminal would act on', async () => {
    const r = await runInProcess(Probe, ['answer', '--json']);
    assert.equal(r.exitCode, 0);
    assert.ok(!r.stdout.includes('\u202e'), 'raw bidi override in the JSON text');
    assert.deepEqual(JSON.parse(r.stdout), { text: 'a\u202eb' });
  });
});
