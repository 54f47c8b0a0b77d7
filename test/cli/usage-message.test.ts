/**
 * oneLineMessage (src/cli/usage-message.ts): oclif's parse errors, written for a terminal over
 * several lines, read back as the one `regsize: ...` line. The errors come from oclif's own
 * parser, so a change in oclif's wording fails here rather than in a user's terminal.
 */
import assert from 'node:assert/strict';
import { Args, Flags, Parser } from '@oclif/core';
import { oneLineMessage } from '../../src/cli/usage-message.js';

async function parseError(argv: string[], input: Parameters<typeof Parser.parse>[1]): Promise<Error> {
  try {
    await Parser.parse(argv, input);
  } catch (e) {
    return e as Error;
  }
  assert.fail(`${argv.join(' ')} parsed`);
}

describe('oneLineMessage (src/cli/usage-message.ts)', () => {
  it('names each missing argument in capitals with its description', async () => {
    const err = await parseError([], { args: { base: Args.string({ required: true, description: 'the base image' }), image: Args.string({ required: true }) } });
    assert.equal(oneLineMessage(err), 'missing BASE (the base image), IMAGE (see --help)');
  });

  it('says exclusive flags cannot be used together, naming a boolean without "=true"', async () => {
    const err = await parseError(['--format', 'csv', '--json'], { flags: { format: Flags.string({ exclusive: ['json'] }), json: Flags.boolean() } });
    assert.equal(oneLineMessage(err), '--json and --format cannot be used together: give one (see --help)');
  });

  it('prefixes a failed flag parse with the flag, unless the reason names it already', async () => {
    const integer = await parseError(['--top', 'many'], { flags: { top: Flags.integer() } });
    assert.equal(oneLineMessage(integer), '--top: Expected an integer but received: many (see --help)');
    const own = Flags.custom<number>({
      parse: async (input) => {
        throw new Error(`invalid --limit "${input}": give a size, e.g. 30MB`);
      },
    });
    const named = await parseError(['--limit', '30'], { flags: { limit: own() } });
    assert.equal(oneLineMessage(named), 'invalid --limit "30": give a size, e.g. 30MB (see --help)');
  });

  it('keeps oclif\'s own one-line reasons, without the help footer lines', async () => {
    assert.equal(oneLineMessage(await parseError(['--units', 'bytes'], { flags: { units: Flags.string({ options: ['si', 'iec'] }) } })), 'Expected --units=bytes to be one of: si, iec (see --help)');
    assert.equal(oneLineMessage(await parseError(['--bogus'], { flags: {} })), 'Nonexistent flag: --bogus (see --help)');
  });

  it("removes oclif's colour codes but leaves every other control character for terminalSafe to show", () => {
    assert.equal(oneLineMessage(new Error('\x1b[2mdim\x1b[22m and \x1b[1;31mred\x1b[0m')), 'dim and red');
    assert.equal(oneLineMessage(new Error('tag "\x1b]0;title\x07"')), 'tag "\x1b]0;title\x07"');
  });

  it('joins a message of several lines into one, and leaves a message without help alone', () => {
    assert.equal(oneLineMessage(new Error('Error: first\n   second\n\nthird')), 'first; second; third');
    assert.equal(oneLineMessage(new Error('manifest unknown')), 'manifest unknown');
  });
});
