/**
 * The command line as a user types it (issue #13, "The command line"): oclif's own messages as
 * one line, --filter not swallowing the repository, conflicting flags refused, size limits that
 * need a unit and are echoed as written, and --platform all offered exactly where it works.
 * Commands run in-process (test/commands/run-in-process.ts) against a real registry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import EcrAudit from '../../commands/ecr/audit.js';
import Report from '../../commands/report/index.js';
import Tags from '../../commands/tags.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { tagExisting } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { ROOT, runInProcess } from '../commands/run-in-process.js';
import { oneLineError } from '../helpers/one-line.js';

interface ManifestFlag {
  description?: string;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, ManifestFlag> }> };

describe('the command line (in-process)', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let tmp: string;
  let imageSize = 0;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'regsize-usage-'));
    writeFileSync(join(tmp, 'config.json'), '{"auths":{}}');
    process.env.DOCKER_CONFIG = tmp;
    reg = await startRegistry();
    const img = makeImage({ layers: [makeRandomLayer({ size: 3000, seed: 'usage-1' })] });
    imageSize = img.layers.reduce((s, l) => s + l.size, 0);
    await pushImage(reg, 'app', '1.1', img);
    for (const t of ['1.10', '1.1.3', '2.0', '11.0', 'latest']) await tagExisting(reg, 'app', '1.1', t);
  });
  after(async () => {
    await reg?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    rmSync(tmp, { recursive: true, force: true });
  });

  describe("oclif's messages as one line", () => {
    it('a missing argument names it, without the multiple-values note', async () => {
      const line = oneLineError(await runInProcess(Tags, ['--filter', '1.*']), 2);
      assert.match(line, /^regsize: missing REPOSITORY \(repository without tag/);
    });
    it('a missing required flag, and exclusive flags, without "The following error occurred"', async () => {
      assert.equal(oneLineError(await runInProcess(Report, []), 2), 'regsize: Missing required flag config (see --help)');
      assert.match(oneLineError(await runInProcess(Report, ['-c', 'x.yaml', '--history', 'h.db', '--no-history']), 2), /--no-history and --history cannot be used together/);
    });
    it('a flag parser that already names the flag is not prefixed with "Parsing --flag"', async () => {
      assert.equal(oneLineError(await runInProcess(EcrAudit, ['x', '--price-per-gb-month', 'x']), 2), 'regsize: invalid --price-per-gb-month "x": give dollars per GB-month, e.g. 0.10 (see --help)');
      assert.match(oneLineError(await runInProcess(Compare, ['x', '--timeout', '0']), 2), /^regsize: --timeout: Expected an integer greater than or equal to 1/);
    });
  });

  it("tags --filter GLOB REPO: the flag takes one value each time and leaves the repository", async () => {
    const r = await runInProcess(Tags, ['--filter', '1.1*', `${reg.host}/app`, '--filter', '2.*', '--no-cache', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const tags = (JSON.parse(r.stdout) as { tags: { tag: string }[] }).tags.map((t) => t.tag).sort();
    assert.deepEqual(tags, ['1.1', '1.1.3', '1.10', '2.0']);
  });

  // Not report: there `--format html --output report.html --json` writes the file and prints the JSON, as documented.
  describe('conflicting flags are refused (exit 2)', () => {
    for (const [name, cmd, argv] of [
      ['compare --json --format markdown', Compare, ['alpine', '--json', '--format', 'markdown']],
      ['tags --format table --json', Tags, ['alpine', '--format', 'table', '--json']],
      ['ecr audit --format csv --json', EcrAudit, ['team/app', '--format', 'csv', '--json']],
    ] as const) {
      it(name, async () => {
        const r = await runInProcess(cmd, [...argv]);
        assert.equal(r.exitCode, 2, r.stderr);
        assert.match(r.stderr, /^regsize: --json and --format cannot be used together: give one/);
        // --json was asked for, so the refusal is a JSON document too.
        assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'INVALID_INPUT');
      });
    }
  });

  describe('size limits need a unit and are echoed as written', () => {
    it('--max-size 30 is refused, suggesting 30MB', async () => {
      assert.equal(oneLineError(await runInProcess(Compare, [`${reg.host}/app:1.1`, '--max-size', '30']), 2), 'regsize: invalid --max-size "30": give a unit, e.g. 30MB or 30MiB (30B for bytes) (see --help)');
    });
    it('an IEC limit is echoed in IEC, the image size in the same units', async () => {
      const r = await runInProcess(Compare, [`${reg.host}/app:1.1`, '--max-size', '2KiB', '--no-cache']);
      assert.equal(r.exitCode, 3, r.stderr);
      // The image is its config plus one layer; the test only knows the layer's size, so check the units and the limit.
      assert.ok(imageSize > 2048);
      assert.match(r.stderr, /is \d+(\.\d+)? KiB, over --max-size 2KiB\n/);
      assert.doesNotMatch(r.stderr, /kB/);
    });
    it('30B is 30 bytes, as written', async () => {
      const r = await runInProcess(Compare, [`${reg.host}/app:1.1`, '--max-size', '30B', '--no-cache']);
      assert.equal(r.exitCode, 3, r.stderr);
      assert.match(r.stderr, /over --max-size 30B\n/);
    });
  });

  describe('help tells the truth about --platform all', () => {
    // report history's --platform filters the recorded rows; it sizes nothing.
    const withPlatform = Object.entries(manifest.commands).filter(([id, c]) => c.flags.platform && id !== 'report:history');
    it('the manifest lists the platform flag of six commands', () => {
      assert.deepEqual(withPlatform.map(([id]) => id).sort(), ['compare', 'diff', 'files', 'layers', 'report', 'tags']);
    });
    for (const [id, command] of withPlatform) {
      const offers = /"all"/.test(command.flags.platform?.description ?? '');
      it(`${id}: help ${offers ? 'offers' : 'does not offer'} "all", and --platform all is ${offers ? 'accepted' : 'refused'}`, async () => {
        const file = join(ROOT, 'dist', 'commands', ...id.split(':'), ...(id === 'report' ? ['index'] : []));
        const cls = ((await import(`${file}.js`)) as { default: Parameters<typeof runInProcess>[0] }).default;
        // A port nothing listens on: an accepted flag fails later, on the network (exit 1).
        const image = '127.0.0.1:9/x:1';
        const config = join(tmp, 'platform.yaml');
        writeFileSync(config, `images:\n  - ${image}\n`);
        const argv = id === 'report' ? ['-c', config, '--no-history'] : id === 'tags' ? ['127.0.0.1:9/x'] : id === 'diff' ? [image, image] : [image];
        const r = await runInProcess(cls, [...argv, '--platform', 'all', '--no-cache', '--timeout', '2']);
        if (offers) assert.equal(r.exitCode, 1, r.stderr);
        else assert.match(oneLineError(r, 2), /--platform all: this command shows one platform/);
      });
    }
  });
});
