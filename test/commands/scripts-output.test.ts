/**
 * Output for scripts: `compare --quiet` (bytes only, one line per image), `compare --format csv`
 * and `tags --format csv`, in-process against a real registry (Debian's docker-registry).
 * Expected sizes come from the bytes pushed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import Tags from '../../commands/tags.js';
import { renderCompareCsv, renderTagsCsv } from '../../src/render/scripts.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from './run-in-process.js';

const size = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

describe('output for scripts (--quiet, --format csv)', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let cache: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const small = makeImage({ layers: [makeRandomLayer({ size: 150_000, seed: 'quiet-small' })] });
  const big = makeImage({ layers: [makeRandomLayer({ size: 420_000, seed: 'quiet-big' }), makeRandomLayer({ size: 10_000, seed: 'quiet-big-2', compression: 'zstd' })] });

  before(async () => {
    reg = await startRegistry();
    cache = mkdtempSync(join(tmpdir(), 'regsize-scripts-'));
    process.env.DOCKER_CONFIG = emptyDockerConfig();
    await pushImage(reg, 'team/tool', '1.0', small);
    await pushImage(reg, 'team/tool', '2.0', big);
    await pushImage(reg, 'team/tool', 'latest', big);
  });
  after(async () => {
    await reg?.stop();
    rmSync(cache, { recursive: true, force: true });
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  const ref = (tag: string) => `${reg.host}/team/tool:${tag}`;

  it('--quiet prints only each compressed size in bytes, one line per image, in the order given', async () => {
    const r = await runInProcess(Compare, [ref('2.0'), ref('1.0'), '--quiet', '--cache-dir', cache, '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `${size(big)}\n${size(small)}\n`);
    assert.equal(r.stderr, '');
  });

  it('--quiet leaves out a failed image, says why on stderr, and exits 1', async () => {
    const r = await runInProcess(Compare, [ref('1.0'), ref('missing'), ref('2.0'), '--quiet', '--cache-dir', cache, '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.stdout, `${size(small)}\n${size(big)}\n`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /^regsize: \S*team\/tool:missing: .*\[MANIFEST_UNKNOWN\]$/);
  });

  it('--quiet refuses --json and --format with exit 2', async () => {
    const r = await runInProcess(Compare, [ref('1.0'), '--quiet', '--format', 'csv', '--cache-dir', cache]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /^regsize: --quiet prints only the sizes/);
  });

  it('compare --format csv: one row per image with exact bytes, an error row for a failed one, exit 1', async () => {
    const r = await runInProcess(Compare, [ref('1.0'), ref('missing'), '--format', 'csv', '--cache-dir', cache, '--platform', 'linux/amd64']);
    assert.equal(r.exitCode, 1, r.stderr);
    const rows = r.stdout.split('\r\n');
    assert.equal(rows.pop(), '', 'CRLF after every record');
    assert.equal(rows[0], 'reference,name,platform,digest,manifest_digest,compressed_size,layers,uncompressed_size,error_code,error_message');
    assert.deepEqual(rows[1]?.split(','), [ref('1.0'), ref('1.0'), 'linux/amd64', small.manifestDigest, small.manifestDigest, String(size(small)), '1', '', '', '']);
    assert.deepEqual(rows[2]?.split(',').slice(0, 9), [ref('missing'), '', '', '', '', '', '', '', 'MANIFEST_UNKNOWN']);
    assert.equal(rows.length, 3);
  });

  it('tags --format csv: one row per tag, aliases included, exact bytes', async () => {
    const r = await runInProcess(Tags, [`${reg.host}/team/tool`, '--format', 'csv', '--cache-dir', cache, '--platform', 'linux/amd64', '--sort', 'name']);
    assert.equal(r.exitCode, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\r\n').map((l) => l.split(','));
    assert.deepEqual(rows[0], ['repository', 'tag', 'digest', 'platform', 'compressed_size', 'error_code', 'error_message']);
    const repo = `${reg.host}/team/tool`;
    assert.deepEqual(rows.slice(1).sort((a, b) => (a[1] as string).localeCompare(b[1] as string)), [
      [repo, '1.0', small.manifestDigest, 'linux/amd64', String(size(small)), '', ''],
      [repo, '2.0', big.manifestDigest, 'linux/amd64', String(size(big)), '', ''],
      [repo, 'latest', big.manifestDigest, 'linux/amd64', String(size(big)), '', ''],
    ]);
  });

  it('guards text a spreadsheet would run as a formula, and quotes what needs quoting', () => {
    const compare = renderCompareCsv({
      images: [
        { reference: 'evil:1', name: 'evil:1', digest: 'sha256:a', platform: '=HYPERLINK("http://x")', manifestDigest: 'sha256:a', compressedSize: 5, layers: [] },
        { reference: 'evil:2', error: { code: 'REGISTRY_ERROR', message: '@SUM(1,2) from the registry' } },
      ],
    });
    const lines = compare.split('\r\n');
    assert.equal(lines[1], `evil:1,evil:1,"'=HYPERLINK(""http://x"")",sha256:a,sha256:a,5,0,,,`);
    assert.equal(lines[2], `evil:2,,,,,,,,REGISTRY_ERROR,"'@SUM(1,2) from the registry"`);
    const tags = renderTagsCsv({ repository: 'r', tags: [{ tag: 't', digest: 'sha256:b', platform: '-1+1', compressedSize: -0 }] });
    assert.equal(tags.split('\r\n')[1], `r,t,sha256:b,'-1+1,0,,`);
  });
});
