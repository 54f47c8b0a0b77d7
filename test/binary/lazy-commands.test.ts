/**
 * binary/commands.ts imports a command's module only when oclif is to run that command (issue
 * #16: a warm compare spent about a third of its start-up evaluating ECR, report and files code
 * it never runs). A compare must import compare alone and answer as always; every command oclif
 * is asked for must still be its own module's class, the one the manifest was written from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Config } from '@oclif/core';
import { COMMAND_LOADERS, compareIds } from '../../binary/commands.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { ROOT, run } from '../helpers/package.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { relativePath: string[] }> };

/** main as bin/run.js calls it (tsc's build: real import()s), then which classes were imported. */
const MAIN_THEN_IMPORTED = `
const { main } = await import('./dist/binary/entry.js');
const { COMMANDS } = await import('./dist/binary/commands.js');
await main(process.argv.slice(1), process.cwd());
process.stderr.write('imported: ' + JSON.stringify(Object.keys(COMMANDS)) + '\\n');
`;

describe('binary/commands: each command is imported when it runs', function () {
  this.timeout(60_000);
  let reg: LocalRegistry | undefined;
  let dir: string | undefined;
  after(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a compare imports compare alone, and answers with the digest and size pushed', async () => {
    reg = await startRegistry();
    const image = makeImage({ layers: [makeRandomLayer({ size: 30_000, seed: 'lazy-a' }), makeRandomLayer({ size: 12_000, seed: 'lazy-b' })] });
    await pushImage(reg, 'team/lazy', 'v1', image);
    dir = mkdtempSync(join(tmpdir(), 'regsize-lazy-'));
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(dir, 'cache') };
    const r = await run(process.execPath, ['--input-type=module', '-e', MAIN_THEN_IMPORTED, '--', `${reg.host}/team/lazy:v1`, '--json', '--no-cache'], { cwd: ROOT, env });
    assert.equal(r.code, 0, r.stderr);
    const [entry] = (JSON.parse(r.stdout) as { images: { manifestDigest: string; compressedSize: number }[] }).images;
    assert.equal(entry?.manifestDigest, image.manifestDigest);
    assert.equal(entry?.compressedSize, image.layers.reduce((n, l) => n + l.blob.length, 0));
    assert.match(r.stderr, /^imported: \["compare"\]$/m);
  });

  it('every command oclif finds is its own module\'s class (the manifest\'s file)', async () => {
    const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { oclif: object };
    // As binary/entry.ts's main configures oclif (plugins aside: they are not regsize's).
    const commands = { strategy: 'explicit', target: './binary/commands.js', identifier: 'COMMANDS' };
    const localeCompare = String.prototype.localeCompare;
    const config = await Config.load({ root: ROOT, pjson: { ...pjson, oclif: { ...pjson.oclif, commands, plugins: [] } } as never });
    assert.equal(String.prototype.localeCompare, localeCompare, 'the real localeCompare is back once the plugins are loaded');
    assert.deepEqual(config.commandIDs.sort(), Object.keys(COMMAND_LOADERS).sort());
    for (const id of config.commandIDs) {
      const found = config.findCommand(id, { must: true });
      const file = manifest.commands[id]?.relativePath;
      assert.ok(file, `${id} is in the manifest`);
      const own = ((await import(pathToFileURL(join(ROOT, ...file)).href)) as { default: unknown }).default;
      assert.equal(await found.load(), own, id);
    }
  });

  it('sorts ids as localeCompare does, without ICU for plain ones (oclif\'s command order is unchanged)', () => {
    // Every string of up to three of a, b, z, '-', ':', the manifest's ids, and some that are
    // not plain (digits, capitals, '_', non-ASCII: those go to the real localeCompare).
    const words = [''];
    for (let n = 1; n <= 3; n++) for (const w of words.filter((x) => x.length === n - 1)) for (const c of 'abz-:') words.push(w + c);
    words.push(...Object.keys(manifest.commands), 'a1', 'a:1', 'B', 'a_b', 'ä', 'report:History');
    const fast = compareIds(String.prototype.localeCompare);
    for (const a of words) for (const b of words) assert.equal(Math.sign(fast.call(a, b)), Math.sign(a.localeCompare(b)), `${a} vs ${b}`);
  });
});
