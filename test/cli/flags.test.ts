/**
 * The shared flags (src/cli/flags.ts) as a command receives them: parsed, validated and
 * defaulted in the flag, so a bad value is one usage line (exit 2) before anything else runs,
 * and a command never applies a default of its own. A probe command declares the flags and
 * prints what it received (--json); nothing here reaches a network.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import {
  bandwidthFlag,
  formatFlag,
  formatWithCsvFlag,
  MAX_TIMEOUT_SECONDS,
  oneOf,
  platformFlag,
  platformOrAllFlag,
  platformsFlag,
  priceFlag,
  reportPlatform,
  timeoutFlag,
  unitsFlag,
} from '../../src/cli/flags.js';
import { isRegsizeError } from '../../src/errors.js';
import { runInProcess } from '../commands/run-in-process.js';
import { oneLineError } from '../helpers/one-line.js';

class Probe extends BaseCommand {
  static override flags = {
    one: platformFlag(),
    any: platformsFlag(),
    override: platformOrAllFlag(),
    timeout: timeoutFlag(),
    bandwidth: bandwidthFlag(),
    units: unitsFlag(),
    table: formatFlag,
    output: formatWithCsvFlag,
    price: priceFlag(),
    name: Flags.string(),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Probe);
    return flags;
  }
}

interface Parsed {
  one: { os: string; architecture: string; variant?: string };
  any: { os: string; architecture: string } | 'all';
  override?: unknown;
  timeout: number;
  bandwidth: { first: { label: string; bitsPerSecond: number }; list: { label: string; bitsPerSecond: number }[] };
  units: string;
  table: string;
  output: string;
  price: number;
}

async function parsed(argv: string[]): Promise<Parsed> {
  const r = await runInProcess(Probe, [...argv, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Parsed;
}

/** This machine's architecture as docker names it, from uname rather than from regsize's own table. */
function machineArchitecture(): string {
  const uname = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
  const docker: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64', i686: '386', s390x: 's390x', ppc64le: 'ppc64le', riscv64: 'riscv64' };
  const arch = docker[uname];
  assert.ok(arch, `no docker name known for ${uname}`);
  return arch;
}

describe('shared flags (src/cli/flags.ts)', () => {
  describe('defaults applied by the flags', () => {
    it("--platform defaults to linux on this machine's architecture, for one platform and for compare's", async () => {
      const p = await parsed([]);
      assert.equal(p.one.os, 'linux');
      assert.equal(p.one.architecture, machineArchitecture());
      assert.deepEqual(p.any, p.one);
    });
    it("report's --platform has no default of its own: the config's platform comes first", async () => {
      assert.equal((await parsed([])).override, undefined);
      const host = (await parsed([])).one;
      const arm = { os: 'linux', architecture: 'arm64' };
      assert.deepEqual(reportPlatform(undefined, undefined), host);
      assert.deepEqual(reportPlatform(undefined, 'all'), 'all');
      assert.deepEqual(reportPlatform(arm, 'all'), arm);
    });
    it('the rest: 30 s, 5Mbps and 1Gbps, si, table, $0.10', async () => {
      const p = await parsed([]);
      assert.equal(p.timeout, 30);
      assert.deepEqual(p.bandwidth.list.map((b) => b.bitsPerSecond), [5e6, 1e9]);
      assert.equal(p.bandwidth.first.label, '5Mbps');
      assert.equal(p.units, 'si');
      assert.equal(p.table, 'table');
      assert.equal(p.output, 'table');
      assert.equal(p.price, 0.1);
    });
  });

  describe('values as given', () => {
    it('--platform is read by containerd\'s rules: aarch64 is arm64, "all" only where offered', async () => {
      const p = await parsed(['--one', 'linux/aarch64', '--any', 'all', '--override', 'linux/s390x']);
      assert.deepEqual({ os: p.one.os, architecture: p.one.architecture }, { os: 'linux', architecture: 'arm64' });
      assert.equal(p.any, 'all');
      assert.deepEqual(p.override, { os: 'linux', architecture: 's390x' });
    });
    it('--bandwidth keeps the order written; the first is the one single estimates use', async () => {
      // 1MB/s is bytes: 8,000,000 bits per second.
      const p = await parsed(['--bandwidth', '1MB/s, 100Mbit/s']);
      assert.deepEqual(p.bandwidth.list, [{ label: '1MB/s', bitsPerSecond: 8e6 }, { label: '100Mbit/s', bitsPerSecond: 1e8 }]);
      assert.deepEqual(p.bandwidth.first, p.bandwidth.list[0]);
    });
    it('--price-per-gb-month takes the dollar sign as AWS writes it', async () => {
      assert.equal((await parsed(['--price', '$0.25'])).price, 0.25);
    });
    it('--timeout takes the largest value Node can time', async () => {
      assert.equal((await parsed(['--timeout', String(MAX_TIMEOUT_SECONDS)])).timeout, MAX_TIMEOUT_SECONDS);
    });
  });

  describe('a bad value is one usage line, exit 2', () => {
    const cases: [string, string[], RegExp][] = [
      ['a platform with too many parts', ['--one', 'a/b/c/d'], /invalid platform/],
      ['"all" where one platform is shown', ['--one', 'all'], /--platform all: this command shows one platform/],
      ['a timeout of 0', ['--timeout', '0'], /^regsize: --timeout: Expected an integer greater than or equal to 1/],
      ['a timeout past Node\'s timer', ['--timeout', String(MAX_TIMEOUT_SECONDS + 1)], /^regsize: --timeout: Expected an integer less than or equal to/],
      ['a timeout that is not a number', ['--timeout', 'soon'], /^regsize: --timeout: Expected an integer/],
      ['a bandwidth without a unit', ['--bandwidth', 'fast'], /invalid bandwidth "fast"/],
      ['an empty bandwidth list', ['--bandwidth', ','], /--bandwidth needs at least one value/],
      ['units that are neither si nor iec', ['--units', 'bytes'], /Expected --units=bytes to be one of: si, iec/],
      ['csv where only tables are offered', ['--table', 'csv'], /Expected --table=csv to be one of: table, markdown/],
      ['a negative price', ['--price', '-1'], /^regsize: invalid --price "-1": give dollars per GB-month, e\.g\. 0\.10 \(see --help\)$/],
    ];
    for (const [what, argv, message] of cases) {
      it(what, async () => {
        assert.match(oneLineError(await runInProcess(Probe, argv), 2), message);
      });
    }
    it('--format and --json together are refused rather than one silently winning', async () => {
      const r = await runInProcess(Probe, ['--output', 'csv', '--json']);
      assert.match(oneLineError({ ...r, stdout: '' }, 2), /--json and --output cannot be used together|--output and --json cannot be used together/);
      assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'INVALID_INPUT');
    });
  });

  it('oneOf refuses a value outside its options by itself (should oclif ever stop checking)', async () => {
    const parse = oneOf(['si', 'iec'] as const);
    assert.equal(await parse('iec', undefined, { name: 'units' }), 'iec');
    await assert.rejects(parse('bytes', undefined, { name: 'units' }), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && /--units "bytes": give one of si, iec/.test(e.message));
  });
});
