/**
 * Which regsize was measured: the git commit, whether the sources differed from it, and a
 * fingerprint of the compiled files, taken before and after the runs. A build that changes
 * in the middle of a run (someone ran `tsc` meanwhile) would mix two versions in one table,
 * so the benchmark refuses to present such a run as one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the child processes load: the compiled sources, the entry point and the command manifest. */
const MEASURED = ['dist/src', 'dist/commands', 'bin', 'oclif.manifest.json', 'package.json'];

async function files(root: string, rel: string): Promise<string[]> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => undefined);
  if (!entries) return [rel];
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? files(root, path.join(rel, e.name)) : [path.join(rel, e.name)])));
  return nested.flat();
}

/** sha256 over the names and contents of every measured file, in a fixed order. */
export async function buildFingerprint(root: string): Promise<string> {
  const all = (await Promise.all(MEASURED.map((m) => files(root, m)))).flat().filter((f) => !f.endsWith('.map')).sort();
  const hash = createHash('sha256');
  for (const f of all) {
    hash.update(`${f}\0`);
    hash.update(await readFile(path.join(root, f)).catch(() => Buffer.from('(missing)')));
  }
  return hash.digest('hex').slice(0, 12);
}

/** "abc1234", plus the number of source files that differ from it (uncommitted work). */
export async function sourceVersion(root: string): Promise<string> {
  try {
    const head = (await run('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
    const status = (await run('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'commands', 'bin', 'package.json'])).stdout.trim();
    const changed = status ? status.split('\n').length : 0;
    return changed ? `commit ${head} with uncommitted changes in ${changed} file(s) of src/, commands/, bin/ or package.json` : `commit ${head}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
