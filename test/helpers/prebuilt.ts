/**
 * The package tests' slow builds, started when mocha loads the spec files that import this
 * module rather than when their tests begin: they then run on the machine's second core while
 * the in-process tests before them run on the first, and the tests await what they made.
 * One build at a time, in the order the tests come (binary, container, install): the single-file
 * binary, then `npm pack` of a copy of this checkout (its prepack builds a clean dist), then a
 * global install of that tarball into a prefix with no compiler on PATH.
 *
 * Nothing is asserted here: each step's Run is handed to the test, which asserts on it. A step
 * whose step before failed does not run (its promise says which one failed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from './binary.js';
import { emptyDockerConfig } from './cli.js';
import { cleanEnv, copyCheckout, NPM_CLI, nodeOnlyPath, run, type Run } from './package.js';

export interface Packed {
  /** The folder of the copy, the tarball's prefix and the node-only PATH (removed by the test). */
  dir: string;
  /** `npm pack --json` in the copy. */
  pack: Run;
  /** The file npm pack wrote, in the copy (set when pack succeeded). */
  tarball?: string | undefined;
  /** The PATH the install ran with: a link to node and nothing else. */
  path: string;
  /** The environment of the install, for the runs of the installed regsize. */
  env: NodeJS.ProcessEnv;
  prefix: string;
  /** `npm install --global` of the tarball (unset when pack failed). */
  install?: Run | undefined;
  /** How long the install took, reported by the test (a shared machine's timings are not asserted). */
  installSeconds?: number | undefined;
}

const binary = ensureBinary();
// Handled here so that a failed build is not an unhandled rejection before its test awaits it.
binary.catch(() => undefined);

/** dist/regsize, built by `npm run build:binary`. */
export function prebuiltBinary(): Promise<string> {
  return binary;
}

const packed = binary.catch(() => undefined).then(packAndInstall);
packed.catch(() => undefined);

/** The packed tarball and its global install (see the module comment). */
export function packedAndInstalled(): Promise<Packed> {
  return packed;
}

async function packAndInstall(): Promise<Packed> {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-install-'));
  const src = join(dir, 'src');
  await copyCheckout(src);
  const pack = await run(process.execPath, [NPM_CLI, 'pack', '--json'], { cwd: src, env: cleanEnv({}) });
  const path = nodeOnlyPath(join(dir, 'bin'));
  const prefix = join(dir, 'prefix');
  const env = cleanEnv({ PATH: path, DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data') });
  const result: Packed = { dir, pack, path, env, prefix };
  if (pack.code !== 0) return result;
  const [info] = JSON.parse(pack.stdout) as { filename: string }[];
  if (!info) return result;
  result.tarball = join(src, info.filename);
  const started = process.hrtime.bigint();
  result.install = await run(process.execPath, [NPM_CLI, 'install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', result.tarball], { env });
  result.installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}
