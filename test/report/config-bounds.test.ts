/**
 * A report config past the bounds is refused in one located line, exit 2, before it is read
 * whole (file size) or composed (keys, entries, nodes, aliases): a 20,000-key config no longer
 * costs seconds of YAML composition to refuse.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Report from '../../commands/report/index.js';
import { isRegsizeError } from '../../src/errors.js';
import { MAX_ALIASES, MAX_CONFIG_BYTES, MAX_KEYS_PER_MAPPING, MAX_LIST_ENTRIES, MAX_NODES } from '../../src/report/config-bounds.js';
import { loadConfig, parseConfig } from '../../src/report/config.js';
import { runInProcess } from '../commands/run-in-process.js';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(isRegsizeError(e), `not a RegsizeError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message is not one line: ${JSON.stringify(e.message)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('the config was accepted');
}

describe('report config bounds', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-config-bounds-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a 20,000-key mapping by its count, at its line, without composing it', () => {
    const text = `images:\n  - python:3\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
    // Without the bound this is refused by the schema ("k0: unknown key") only after composing every key.
    const e = refusal(() => parseConfig(text, 'regsize.yaml'));
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.message, `regsize.yaml:1: a mapping with 20001 keys, more than the ${MAX_KEYS_PER_MAPPING} a report config may have (its widest mapping has 7)`);
  });

  it('refuses a list longer than the bound, at its line', () => {
    const text = `title: t\nimages:\n${Array.from({ length: MAX_LIST_ENTRIES + 1 }, (_, i) => `  - python:${i}`).join('\n')}\n`;
    assert.equal(refusal(() => parseConfig(text, 'c.yaml')).message, `c.yaml:3: a list of ${MAX_LIST_ENTRIES + 1} entries, more than the ${MAX_LIST_ENTRIES} a report config may have`);
  });

  it('accepts a list at the bound', () => {
    const text = `images:\n${Array.from({ length: MAX_LIST_ENTRIES }, (_, i) => `  - python:${i}`).join('\n')}\n`;
    assert.equal(parseConfig(text, 'c.yaml').images.length, MAX_LIST_ENTRIES);
  });

  it('refuses more keys and entries in all than the bound, in flow style too', () => {
    // Lists within the per-list bound, but more nodes in all than MAX_NODES.
    const lists = Math.ceil((MAX_NODES + 1) / 1000);
    const text = `images:\n${Array.from({ length: lists }, () => `  - [${Array.from({ length: 1000 }, (_, i) => `a${i}`).join(', ')}]`).join('\n')}\n`;
    assert.match(refusal(() => parseConfig(text, 'c.yaml')).message, new RegExp(`^c\\.yaml:\\d+: more than ${MAX_NODES} keys and list entries in the config$`));
  });

  it('refuses more aliases than the bound', () => {
    const text = `tags:\n  - repository: python\n    filter: &f ["3.*"]\n${Array.from({ length: MAX_ALIASES + 1 }, () => '  - repository: python\n    filter: *f').join('\n')}\n`;
    assert.match(refusal(() => parseConfig(text, 'c.yaml')).message, new RegExp(`^c\\.yaml:\\d+: more than ${MAX_ALIASES} aliases \\(\\*name\\) in the config$`));
  });

  it('refuses a file over 1 MiB by its size, before reading it (a sparse 4 GiB file)', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, 'images:\n  - python:3\n');
    truncateSync(file, 4 * 2 ** 30);
    // Reading it would fail otherwise with "Cannot create a string longer than ..." or take 4 GiB.
    assert.equal(refusal(() => loadConfig(file)).message, `${file}: the config is ${4 * 2 ** 30} bytes, more than the ${MAX_CONFIG_BYTES} (1 MiB) a report config may be: is --config the right file?`);
  });

  it('reads no more than the bound from a file without a size (/dev/zero)', () => {
    assert.equal(refusal(() => loadConfig('/dev/zero')).message, `/dev/zero: the config is over ${MAX_CONFIG_BYTES} bytes, more than the ${MAX_CONFIG_BYTES} (1 MiB) a report config may be: is --config the right file?`);
  });

  it('exits 2 with the one line from report --config', async () => {
    const file = join(dir, 'wide.yaml');
    writeFileSync(file, `images:\n  - python:3\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`);
    const r = await runInProcess(Report, ['--config', file, '--no-history']);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr, `regsize: ${file}:1: a mapping with 20001 keys, more than the ${MAX_KEYS_PER_MAPPING} a report config may have (its widest mapping has 7)\n`);
    assert.equal(r.stdout, '');
  });
});
