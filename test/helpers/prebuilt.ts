/**
 * The package tests' slow builds, started when mocha loads the spec files that import this
 * module rather than when their tests begin: they then run on the machine's second core while
 * the in-process tests before them run on the first, and the tests await what they made.
 * One build at a time (./background.ts), in the order the tests come (binary, container,
 * install): the single-file binary; regsize's image built from it with buildah and run once;
 * `npm pack` of a copy of this checkout (its prepack builds a clean dist); a global install of
 * that tarball into a prefix with no compiler on PATH.
 *
 * Nothing is asserted here: each step's Run is handed to the test, which asserts on it. A step
 * whose step before failed does not run (it is left unset). The folders and environments are
 * made now, at load time: later, a test running the CLI in-process may have swapped
 * process.env (TMPDIR, HOME, DOCKER_CONFIG) for its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inBackground } from './background.js';
import { ensureBinary } from './binary.js';
import { emptyDockerConfig } from './cli.js';
import { cleanEnv, copyCheckout, NPM_CLI, nodeOnlyPath, ROOT, run, type Run } from './package.js';

const startEnv: NodeJS.ProcessEnv = { ...process.env };

export interface BuiltImage {
  /** Holds buildah's private storage and the build context (removed by the test). */
  dir: string;
  /** buildah on that storage, with chroot isolation. */
  buildah: (args: string[]) => Promise<Run>;
  /** scripts/image-rootfs.mjs: the build context. */
  rootfs?: Run | undefined;
  /** buildah bud of the Containerfile, tagged localhost/regsize:test. */
  bud?: Run | undefined;
  /** buildah from the image, then run `regsize --version` in it, then rm the container. */
  from?: Run | undefined;
  version?: Run | undefined;
  rm?: Run | undefined;
}

export interface Packed {
  /** The folder of the copy, the tarball's prefix and the node-only PATH (removed by the test). */
  dir: string;
  /** `npm pack --json` in the copy (unset when the copy failed). */
  pack?: Run | undefined;
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

const binary = inBackground(ensureBinary);
/** dist/regsize, built by `npm run build:binary`. */
export const prebuiltBinary = (): Promise<string> => binary;

const imageDir = mkdtempSync(join(tmpdir(), 'regsize-image-'));
const image = inBackground(() => binary.then(() => buildImage(imageDir), () => ({ dir: imageDir, buildah: buildahOn(imageDir) })));
/** regsize's image, built and run once (see BuiltImage). */
export const builtImage = (): Promise<BuiltImage> => image;

const packDir = mkdtempSync(join(tmpdir(), 'regsize-install-'));
const packPlan: Packed = {
  dir: packDir,
  path: nodeOnlyPath(join(packDir, 'bin')),
  prefix: join(packDir, 'prefix'),
  env: cleanEnv({ PATH: join(packDir, 'bin'), DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(packDir, 'cache'), XDG_DATA_HOME: join(packDir, 'data') }, startEnv),
};
const packed = inBackground(() => packAndInstall(packPlan));
/** The packed tarball and its global install (see Packed). */
export const packedAndInstalled = (): Promise<Packed> => packed;

function buildahOn(dir: string): (args: string[]) => Promise<Run> {
  const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot')];
  return (args) => run('buildah', [...storage, ...args], { env: { ...startEnv, BUILDAH_ISOLATION: 'chroot' } });
}

async function buildImage(dir: string): Promise<BuiltImage> {
  const buildah = buildahOn(dir);
  const built: BuiltImage = { dir, buildah };
  const context = join(dir, 'context');
  built.rootfs = await run(process.execPath, [join(ROOT, 'scripts', 'image-rootfs.mjs'), context], { env: startEnv });
  if (built.rootfs.code !== 0) return built;
  built.bud = await buildah(['bud', '--isolation', 'chroot', '--pull=never', '-f', join(ROOT, 'Containerfile'), '-t', 'localhost/regsize:test', context]);
  if (built.bud.code !== 0) return built;
  // The image works on its own: nothing from the host but the kernel.
  built.from = await buildah(['from', '--pull-never', 'localhost/regsize:test']);
  if (built.from.code !== 0) return built;
  const container = built.from.stdout.trim();
  built.version = await buildah(['run', '--isolation', 'chroot', container, '--', '/usr/local/bin/regsize', '--version']);
  built.rm = await buildah(['rm', container]);
  return built;
}

async function packAndInstall(plan: Packed): Promise<Packed> {
  const result: Packed = { ...plan };
  const src = join(plan.dir, 'src');
  await copyCheckout(src, startEnv);
  result.pack = await run(process.execPath, [NPM_CLI, 'pack', '--json'], { cwd: src, env: cleanEnv({}, startEnv) });
  if (result.pack.code !== 0) return result;
  const [info] = JSON.parse(result.pack.stdout) as { filename: string }[];
  if (!info) return result;
  const started = process.hrtime.bigint();
  result.install = await run(process.execPath, [NPM_CLI, 'install', '--global', '--prefix', plan.prefix, '--prefer-offline', '--no-audit', '--no-fund', join(src, info.filename)], { env: plan.env });
  result.installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}
