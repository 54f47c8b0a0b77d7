/**
 * Shell completion through @oclif/plugin-autocomplete: `regsize autocomplete bash` (one
 * subprocess smoke test, the real CLI) prints the setup instructions and writes a completion
 * function that bash accepts and that knows regsize's own commands and flags. Routing is checked
 * in-process: "autocomplete" must reach the plugin, not be taken for an image to compare.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandIds, routeArgs } from '../../src/cli/route.js';
import { ROOT } from '../commands/run-in-process.js';
import { runCli } from '../helpers/cli.js';

describe('shell completion (regsize autocomplete)', function () {
  this.timeout(60_000);
  let cache: string;
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'regsize-autocomplete-'));
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('routes "autocomplete" to the plugin, not to compare', () => {
    const ids = commandIds(ROOT);
    assert.ok(ids.includes('autocomplete'), ids.join(' '));
    assert.deepEqual(routeArgs(['autocomplete', 'bash'], ids), ['autocomplete', 'bash']);
  });

  it('prints the bash setup instructions and writes a completion bash accepts, with the commands and flags', async () => {
    const r = await runCli(['autocomplete', 'bash'], { XDG_CACHE_HOME: cache });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Setup Instructions for REGSIZE CLI Autocomplete/);
    assert.ok(r.stdout.includes('printf "$(regsize autocomplete script bash)" >> ~/.bashrc'), r.stdout);
    const fn = join(cache, 'regsize', 'autocomplete', 'functions', 'bash', 'regsize.bash');
    assert.ok(existsSync(fn), `no completion function at ${fn}`);
    const text = readFileSync(fn, 'utf8');
    for (const word of ['compare', 'diff', 'tags', 'report', '--max-increase', '--quiet', '--pushgateway']) assert.ok(text.includes(word), `${word} missing from the completion`);
    // bash loads it and registers the completion for regsize.
    const loaded = spawnSync('bash', ['--norc', '--noprofile', '-c', `source "${fn}" && complete -p regsize`], { encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.match(loaded.stdout, /^complete .* regsize$/m);
  });
});
