/**
 * The command_not_found hook (src/cli/hooks/command-not-found.ts): when oclif runs without
 * bin/run.js's routing, an unknown first word is still an image for compare, and a mistyped
 * command is still refused. oclif joins the leading words into one id with ":" (topicSeparator
 * " "), so the hook gets `alpine:nginx` for `alpine nginx`.
 */
import assert from 'node:assert/strict';
import hook, { joinedWords } from '../../../src/cli/hooks/command-not-found.js';
import { isRegsizeError } from '../../../src/errors.js';

const IDS = ['compare', 'diff', 'layers', 'tags', 'ecr:audit', 'report', 'report:history'];

async function routed(id: string, argv: string[]): Promise<{ id: string; argv: string[] }[]> {
  const runs: { id: string; argv: string[] }[] = [];
  const config = { commandIDs: IDS, runCommand: async (id: string, argv: string[]) => void runs.push({ id, argv }) };
  await (hook as (this: unknown, opts: unknown) => Promise<void>).call({}, { id, argv, config });
  return runs;
}

describe('command_not_found hook (src/cli/hooks/command-not-found.ts)', () => {
  it('runs compare with the words oclif joined, then the rest of the arguments', async () => {
    assert.deepEqual(await routed('alpine:nginx', ['--json']), [{ id: 'compare', argv: ['alpine', 'nginx', '--json'] }]);
    assert.deepEqual(await routed('alpine', []), [{ id: 'compare', argv: ['alpine'] }]);
  });

  it('takes the words back from the process arguments, so a tag is not read as a second image', () => {
    // `regsize python:3.11 --json` and `regsize alpine python:3.11`: oclif hands the hook "python:3.11" and "alpine:python:3.11".
    assert.deepEqual(joinedWords('python:3.11', ['--json'], ['python:3.11', '--json']), ['python:3.11']);
    assert.deepEqual(joinedWords('alpine:python:3.11', [], ['alpine', 'python:3.11']), ['alpine', 'python:3.11']);
    assert.deepEqual(joinedWords('localhost:5000/app:v1:nginx', ['-p', 'linux/amd64'], ['localhost:5000/app:v1', 'nginx', '-p', 'linux/amd64']), ['localhost:5000/app:v1', 'nginx']);
    // An argv oclif was handed by its caller, not the process's: the split on ":" is all there is.
    assert.deepEqual(joinedWords('alpine:nginx', ['--json'], ['test', '--grep', 'x']), ['alpine', 'nginx']);
  });

  it('runs compare on the image as typed, tag and all, when oclif was started from the process arguments', async () => {
    const saved = process.argv;
    process.argv = [saved[0] ?? 'node', 'regsize', 'python:3.11', 'python:3.11-alpine', '--json'];
    try {
      assert.deepEqual(await routed('python:3.11', ['python:3.11-alpine', '--json']), [{ id: 'compare', argv: ['python:3.11', 'python:3.11-alpine', '--json'] }]);
    } finally {
      process.argv = saved;
    }
  });

  it('refuses a mistyped command instead of sizing an image of that name', async () => {
    await assert.rejects(routed('comapre', ['python']), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && /did you mean "compare"\?/.test(e.message));
    await assert.rejects(routed('ecr:audti', []), (e: unknown) => isRegsizeError(e) && /did you mean "ecr audit"\?/.test(e.message));
  });
});
