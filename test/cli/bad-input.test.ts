/**
 * The one-line rule for every error a user can cause (issue #13, "Done when"): each bad input,
 * through each command, in-process, ends with the documented exit code and exactly one
 * `regsize: ...` line on stderr, no stack trace, nothing on stdout. Nothing here reaches a
 * network: every case is refused before any request (the registries named do not exist).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import Compare from '../../commands/compare.js';
import Diff from '../../commands/diff.js';
import EcrAudit from '../../commands/ecr/audit.js';
import Layers from '../../commands/layers.js';
import ReportHistory from '../../commands/report/history.js';
import Report from '../../commands/report/index.js';
import Tags from '../../commands/tags.js';
import { runInProcess } from '../commands/run-in-process.js';
import { oneLineError } from '../helpers/one-line.js';

type Runnable = Parameters<typeof runInProcess>[0];

describe('every error a user can cause is one line on stderr with the documented exit code', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'regsize-bad-input-'));
  const file = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const cases: [string, Runnable, () => string[], RegExp][] = [
    ['compare', Compare, () => [], /no images given/],
    ['compare', Compare, () => ['Python:3.11'], /invalid reference "Python:3.11"/],
    ['compare', Compare, () => ['python', 'python@sha256:123'], /malformed digest/],
    ['compare', Compare, () => ['python', '--platform', 'a/b/c/d'], /invalid platform/],
    ['compare', Compare, () => ['python', '--bandwidth', 'fast'], /invalid bandwidth "fast"/],
    ['compare', Compare, () => ['python', '--max-size', '30'], /invalid --max-size "30": give a unit, e.g. 30MB/],
    ['compare', Compare, () => ['python', '--max-size', 'huge'], /invalid --max-size "huge"/],
    ['compare', Compare, () => ['python', '--units', 'bits'], /--units/],
    ['compare', Compare, () => ['python', '--no-such-flag'], /Nonexistent flag: --no-such-flag/],
    ['compare', Compare, () => ['python', '--timeout', '0'], /--timeout/],
    ['compare', Compare, () => ['python', '--concurrency', '100'], /--concurrency/],
    ['compare', Compare, () => ['python', '--tag-ttl', 'soon'], /--tag-ttl/],
    ['compare', Compare, () => ['python', '--platform'], /--platform expects a value/],
    ['layers', Layers, () => [], /missing IMAGE/],
    ['layers', Layers, () => ['a', 'b'], /Unexpected argument: b/],
    ['layers', Layers, () => ['UPPER'], /invalid reference/],
    ['layers', Layers, () => ['python', '--platform', 'all'], /--platform all: this command shows one platform/],
    ['layers', Layers, () => ['python', '--format', 'csv'], /--format/],
    ['diff', Diff, () => [], /missing BASE/],
    ['diff', Diff, () => ['python', 'UPPER'], /invalid reference/],
    ['diff', Diff, () => ['python', 'app', '--platform', 'all'], /--platform all/],
    ['tags', Tags, () => [], /missing REPOSITORY/],
    ['tags', Tags, () => ['python:3.11'], /names a tag or digest/],
    ['tags', Tags, () => ['python', '--limit', '0'], /--limit/],
    ['tags', Tags, () => ['python', '--sort', 'random'], /--sort/],
    ['tags', Tags, () => ['python', '--json', '--format', 'markdown'], /--json and --format cannot be used together/],
    ['ecr audit', EcrAudit, () => ['team/app', '--price-per-gb-month', 'cheap'], /invalid --price-per-gb-month "cheap"/],
    ['ecr audit', EcrAudit, () => ['team/app', '--stale-days', '0'], /--stale-days/],
    ['ecr audit', EcrAudit, () => ['team/app', '--suggest-lifecycle', '--format', 'csv'], /--suggest-lifecycle prints JSON policies/],
    ['report', Report, () => [], /Missing required flag config/],
    ['report', Report, () => ['-c', join(tmp, 'missing.yaml'), '--no-history'], /missing\.yaml/],
    ['report', Report, () => ['-c', file('bad.yaml', 'images: [python\n'), '--no-history'], /bad\.yaml/],
    ['report', Report, () => ['-c', file('typo.yaml', 'imagez:\n  - python\n'), '--no-history'], /imagez/],
    ['report', Report, () => ['-c', file('ok.yaml', 'images:\n  - python\n'), '--since', 'later', '--no-history'], /--since/],
    ['report', Report, () => ['-c', file('ok2.yaml', 'images:\n  - python\n'), '--alert-growth', 'lots', '--no-history'], /alert-growth/],
    ['report', Report, () => ['-c', 'x.yaml', '--history', 'h.db', '--no-history'], /cannot be used together/],
    ['report history', ReportHistory, () => [], /missing IMAGE/],
    ['report history', ReportHistory, () => ['UPPER'], /invalid reference/],
    ['report history', ReportHistory, () => ['python', '--since', 'later'], /--since/],
    ['report history', ReportHistory, () => ['python', '--history', join(tmp, 'none.db')], /none\.db/],
  ];

  for (const [name, command, argv, message] of cases) {
    it(`${name} ${argv().join(' ').replace(tmp, '$TMP')}`.trim(), async () => {
      const r = await runInProcess(command, argv());
      assert.match(oneLineError(r, 2), message);
      // Under --json the refusal is also the JSON document on stdout; otherwise stdout stays empty.
      if (argv().includes('--json')) assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'INVALID_INPUT');
      else assert.equal(r.stdout, '');
    });
  }
});
