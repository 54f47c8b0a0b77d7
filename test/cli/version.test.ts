import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnCli } from '../helpers/cli.js';

describe('regsize --version', () => {
  it('prints name/version platform-arch node-version, as oclif does', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await spawnCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `regsize/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
  });
});
