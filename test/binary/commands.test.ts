/**
 * The bundle's explicit command list (binary/commands.ts) is the committed manifest's: a
 * command added to commands/ but not to the list would be missing from bin/run.js and the
 * single executable alike (`files` once was).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_LOADERS, COMMANDS, loadCommands } from '../../binary/commands.js';
import { ROOT } from '../commands/run-in-process.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, unknown> }> };

describe('binary/commands: the bundle\'s command list', () => {
  it('names every command of the manifest, and only those', () => {
    assert.deepEqual(Object.keys(COMMAND_LOADERS).sort(), Object.keys(manifest.commands).sort());
  });

  it('holds the classes the manifest was written from (same flags)', async () => {
    await loadCommands();
    assert.deepEqual(Object.keys(COMMANDS).sort(), Object.keys(manifest.commands).sort());
    for (const [id, cls] of Object.entries(COMMANDS)) {
      const own = Object.keys({ ...(cls.enableJsonFlag ? { json: true } : {}), ...cls.flags }).sort();
      assert.deepEqual(own, Object.keys(manifest.commands[id]?.flags ?? {}).sort(), id);
    }
  });
});
