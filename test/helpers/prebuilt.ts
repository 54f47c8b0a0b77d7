/**
 * The package tests' slow builds: the single-file binary; regsize's image built from it with
 * buildah and run once; `npm pack` of a copy of this checkout (its prepack builds a clean
 * dist); a global install of that tarball into a prefix with no compiler on PATH.
 *
 * They run once per mocha run, in mocha's own process, started by test/setup.ts when the run
 * begins (and only when its files include a test that needs them): in parallel mode that
 * process runs no tests, so the builds take what the test workers leave of the machine and are
 * done, or nearly, by the time their tests come; and no worker builds them again (two workers
 * writing dist/regsize at once would break both). One build at a time (./background.ts), in the
 * order the tests come (binary, container, install).
 *
 * A test awaits what it needs with prebuiltBinary(), builtImage() or packedAndInstalled(): in
 * the process that built it, the build's own promise; in a worker, the JSON result the build
 * wrote to the run's folder (named by REGSIZE_TEST_PREBUILT, set before any worker starts).
 *
 * Nothing is asserted here: each step's Run is handed to the test, which asserts on it. A step
 * whose step before failed does not run (it is left unset). The folders and environments are
 * made when the builds start: later, a test running the CLI in-process may have swapped
 * process.env (TMPDIR, HOME, DOCKER_CONFIG) for its own.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { inBackground } from './background.js';
import { ensureBinary } from './binary.js';
import { emptyDockerConfig } from './cli.js';
import { cleanEnv, copyCheckout, NPM_CLI, nodeOnlyPath, ROOT, run, type Run } from './package.js';

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

type Job = 'binary' | 'image' | 'packed';

/** The spec files (under dist/test/) each build is for: a run without them builds nothing. */
const NEEDED_BY: Record<Job, string[]> = {
  binary: ['package/binary.test.js', 'package/container.test.js'],
  image: ['package/container.test.js'],
  packed: ['package/install.test.js'],
};

/** The env variable naming the folder the builds write their results to. */
export const RESULTS_ENV = 'REGSIZE_TEST_PREBUILT';

/** This process's builds, when it is the one that started them. */
const started = new Map<Job, Promise<unknown>>();

/**
 * Starts the builds the run's `files` need (test/setup.ts, in mocha's process, as the run
 * begins), each writing its result to `resultsDir` for the workers, and lists them there in
 * plan.json first, so a worker knows whether to wait for a build or that none is coming.
 */
export function startPrebuilt(files: readonly string[], resultsDir: string): void {
  const wanted = (job: Job) => files.some((f) => NEEDED_BY[job].some((name) => f.endsWith(`${sep}test${sep}${name.split('/').join(sep)}`)));
  const jobs = (['binary', 'image', 'packed'] as const).filter((j) => wanted(j) || (j === 'binary' && wanted('image')));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'plan.json'), JSON.stringify(jobs));
  const env: NodeJS.ProcessEnv = { ...process.env };
  const publish = (job: Job, result: Promise<unknown>) => {
    started.set(job, result);
    result.then(
      (value) => writeResult(resultsDir, job, { value: job === 'image' ? { ...(value as BuiltImage), buildah: undefined } : value }),
      (err: unknown) => writeResult(resultsDir, job, { error: err instanceof Error ? err.message : String(err) }),
    );
  };
  let binary: Promise<string> | undefined;
  if (jobs.includes('binary')) publish('binary', (binary = inBackground(ensureBinary)));
  if (jobs.includes('image') && binary) {
    const imageDir = mkdtempSync(join(tmpdir(), 'regsize-image-'));
    const built = binary;
    publish('image', inBackground(() => built.then(() => buildImage(imageDir, env), () => ({ dir: imageDir, buildah: buildahOn(imageDir, env) }))));
  }
  if (jobs.includes('packed')) {
    const packDir = mkdtempSync(join(tmpdir(), 'regsize-install-'));
    const plan: Packed = {
      dir: packDir,
      path: nodeOnlyPath(join(packDir, 'bin')),
      prefix: join(packDir, 'prefix'),
      env: cleanEnv({ PATH: join(packDir, 'bin'), DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(packDir, 'cache'), XDG_DATA_HOME: join(packDir, 'data') }, env),
    };
    publish('packed', inBackground(() => packAndInstall(plan, env)));
  }
}

/** Written whole, then renamed: a worker never reads half a result. */
function writeResult(dir: string, job: Job, result: { value?: unknown; error?: string }): void {
  const tmp = join(dir, `${job}.json.part`);
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, join(dir, `${job}.json`));
}

const POLL_MS = 250;

/** The build's result: its promise here, or (in a worker) the file it writes, once written. */
function awaitJob<T>(job: Job): Promise<T> {
  const own = started.get(job);
  if (own) return own as Promise<T>;
  const dir = process.env[RESULTS_ENV];
  const planned = dir && existsSync(join(dir, 'plan.json')) ? (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as Job[]) : [];
  if (!dir || !planned.includes(job)) return Promise.reject(new Error(`the ${job} build was not started for this run (test/setup.ts starts it for ${NEEDED_BY[job].join(', ')})`));
  const file = join(dir, `${job}.json`);
  return new Promise<T>((resolve, reject) => {
    const poll = () => {
      if (!existsSync(file)) return void setTimeout(poll, POLL_MS);
      const result = JSON.parse(readFileSync(file, 'utf8')) as { value?: T; error?: string };
      if (result.error !== undefined) reject(new Error(result.error));
      else resolve(result.value as T);
    };
    poll();
  });
}

/** dist/regsize, built by `npm run build:binary`. */
export const prebuiltBinary = (): Promise<string> => awaitJob<string>('binary');

/** regsize's image, built and run once (see BuiltImage). */
export const builtImage = async (): Promise<BuiltImage> => {
  const built = await awaitJob<BuiltImage>('image');
  return { ...built, buildah: buildahOn(built.dir, { ...process.env }) };
};

/** The packed tarball and its global install (see Packed). */
export const packedAndInstalled = (): Promise<Packed> => awaitJob<Packed>('packed');

function buildahOn(dir: string, env: NodeJS.ProcessEnv): (args: string[]) => Promise<Run> {
  const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot')];
  return (args) => run('buildah', [...storage, ...args], { env: { ...env, BUILDAH_ISOLATION: 'chroot' } });
}

async function buildImage(dir: string, env: NodeJS.ProcessEnv): Promise<BuiltImage> {
  const buildah = buildahOn(dir, env);
  const built: BuiltImage = { dir, buildah };
  const context = join(dir, 'context');
  built.rootfs = await run(process.execPath, [join(ROOT, 'scripts', 'image-rootfs.mjs'), context], { env });
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

async function packAndInstall(plan: Packed, env: NodeJS.ProcessEnv): Promise<Packed> {
  const result: Packed = { ...plan };
  const src = join(plan.dir, 'src');
  await copyCheckout(src, env);
  result.pack = await run(process.execPath, [NPM_CLI, 'pack', '--json'], { cwd: src, env: cleanEnv({}, env) });
  if (result.pack.code !== 0) return result;
  const [info] = JSON.parse(result.pack.stdout) as { filename: string }[];
  if (!info) return result;
  const begun = process.hrtime.bigint();
  result.install = await run(process.execPath, [NPM_CLI, 'install', '--global', '--prefix', plan.prefix, '--prefer-offline', '--no-audit', '--no-fund', join(src, info.filename)], { env: plan.env });
  result.installSeconds = Number(process.hrtime.bigint() - begun) / 1e9;
  return result;
}
