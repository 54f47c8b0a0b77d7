/**
 * What is measured, tool by tool, and how each run's output is checked: a run that answers
 * wrongly (or fails fast) must never pass for a fast run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { FLOORS, type Floor } from './floor.js';
import { expectSuccess, type Meter, type ProcResult, runProcess, type Sample } from './measure.js';
import { BENCH_PLATFORM, type BenchImages } from './populate.js';
import type { BenchCertificates } from './tls.js';

export interface BenchContext {
  /** The repository root (bin/run.js lives there). */
  root: string;
  /** "127.0.0.1:PORT" of the slow link. */
  host: string;
  tmp: string;
  certs: BenchCertificates;
  images: BenchImages;
  meter: Meter;
}

export interface Scenario {
  id: string;
  label: string;
  /** What the floor ratio is taken against; absent when network is not the point. */
  floor?: Floor;
  /** Images (or tags) the run sizes, for requests per image. */
  items: number;
  /** Set when the scenario cannot run here, with the reason. */
  unavailable?: string;
  run(rep: number): Promise<Sample>;
}

/** What every tool is asked for (see BENCH_PLATFORM). */
export const BENCH_PLATFORM_ID = `${BENCH_PLATFORM.os}/${BENCH_PLATFORM.architecture}`;

/** The environment of every tool: no proxies, no credentials of this machine, our CA trusted. */
export function toolEnv(ctx: Pick<BenchContext, 'tmp' | 'certs'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) delete env[k];
  return {
    ...env,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    NODE_EXTRA_CA_CERTS: ctx.certs.caFile,
    DOCKER_CONFIG: path.join(ctx.tmp, 'docker-config'),
    XDG_CACHE_HOME: path.join(ctx.tmp, 'xdg-cache'),
  };
}

export function regsizeArgs(ctx: BenchContext, args: string[]): [string, string[]] {
  return [process.execPath, [path.join(ctx.root, 'bin', 'run.js'), ...args]];
}

async function regsize(ctx: BenchContext, args: string[]): Promise<ProcResult> {
  const [cmd, argv] = regsizeArgs(ctx, args);
  return runProcess(cmd, argv, { env: toolEnv(ctx), memoryFile: path.join(ctx.tmp, 'time.out') });
}

export function compareRefs(ctx: BenchContext): string[] {
  return ctx.images.compare.map((i) => `${ctx.host}/${i.ref}`);
}

/** The regsize compare JSON must name exactly the pushed digests and sizes. */
export function checkCompare(ctx: BenchContext, r: ProcResult): void {
  expectSuccess(r);
  const doc = JSON.parse(r.stdout) as { images?: { reference?: string; digest?: string; manifestDigest?: string; compressedSize?: number; error?: unknown }[] };
  const got = doc.images ?? [];
  if (got.length !== ctx.images.compare.length) throw new Error(`regsize compare returned ${got.length} entries, expected ${ctx.images.compare.length}:\n${r.stdout.slice(0, 2000)}`);
  ctx.images.compare.forEach((want, i) => {
    const e = got[i] ?? {};
    if (e.error || e.digest !== want.indexDigest || e.manifestDigest !== want.manifestDigest || e.compressedSize !== want.compressedSize) {
      throw new Error(`regsize compare answered wrongly for ${want.ref}: ${JSON.stringify(e).slice(0, 500)} (expected index ${want.indexDigest}, manifest ${want.manifestDigest}, ${want.compressedSize} bytes)`);
    }
  });
}

export function checkTags(ctx: BenchContext, r: ProcResult): void {
  expectSuccess(r);
  const doc = JSON.parse(r.stdout) as { tags?: { tag?: string; digest?: string; compressedSize?: number; error?: unknown }[] };
  const entries = doc.tags ?? [];
  for (const want of ctx.images.tags) {
    const e = entries.find((t) => t.tag === want.tag);
    if (!e || e.error || e.digest !== want.indexDigest || e.compressedSize !== want.compressedSize) {
      throw new Error(`regsize tags answered wrongly for ${want.tag}: ${JSON.stringify(e ?? 'missing').slice(0, 500)} (expected ${want.indexDigest}, ${want.compressedSize} bytes)`);
    }
  }
}

function cacheDir(ctx: BenchContext, kind: string, rep: number): string {
  return path.join(ctx.tmp, `cache-${kind}-${rep}`);
}

/** True when `regsize tags` is built and registered (the committed oclif manifest lists it). */
export function tagsCommandAvailable(root: string): string | undefined {
  const manifestFile = path.join(root, 'oclif.manifest.json');
  if (!existsSync(path.join(root, 'dist', 'commands', 'tags.js'))) return 'not available: commands/tags.ts is not written yet';
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { commands?: Record<string, unknown> };
    if (!manifest.commands?.tags) return 'not available: the tags command is not in oclif.manifest.json yet (npx oclif manifest)';
  } catch {
    return 'not available: oclif.manifest.json is missing or unreadable';
  }
  return undefined;
}

export function regsizeScenarios(ctx: BenchContext): Scenario[] {
  const refs = compareRefs(ctx);
  const common = ['--platform', BENCH_PLATFORM_ID, '--json'];
  const tagsMissing = tagsCommandAvailable(ctx.root);
  const tagsRepo = `${ctx.host}/${ctx.images.tagsRepo}`;
  const n = refs.length;
  const t = ctx.images.tags.length;
  return [
    {
      id: 'compare-cold',
      label: `regsize compare, ${n} images, cold (empty cache)`,
      floor: FLOORS.compareCold,
      items: n,
      run: async (rep) => {
        const dir = cacheDir(ctx, 'compare', rep);
        await rm(dir, { recursive: true, force: true });
        return ctx.meter.measure(async () => {
          const r = await regsize(ctx, [...refs, ...common, '--cache-dir', dir]);
          checkCompare(ctx, r);
          return [r];
        });
      },
    },
    {
      id: 'compare-warm',
      label: `regsize compare, ${n} images, warm (same cache, tags fresh)`,
      floor: FLOORS.compareWarm,
      items: n,
      run: (rep) =>
        ctx.meter.measure(async () => {
          const r = await regsize(ctx, [...refs, ...common, '--cache-dir', cacheDir(ctx, 'compare', rep)]);
          checkCompare(ctx, r);
          return [r];
        }),
    },
    {
      id: 'compare-revalidate',
      label: `regsize compare, ${n} images, warm, --tag-ttl 0 (re-check tags)`,
      floor: FLOORS.compareRevalidate,
      items: n,
      run: (rep) =>
        ctx.meter.measure(async () => {
          const r = await regsize(ctx, [...refs, ...common, '--cache-dir', cacheDir(ctx, 'compare', rep), '--tag-ttl', '0']);
          checkCompare(ctx, r);
          return [r];
        }),
    },
    {
      id: 'tags-cold',
      label: `regsize tags, ${t} tags, cold`,
      floor: FLOORS.tagsCold,
      items: t,
      ...(tagsMissing ? { unavailable: tagsMissing } : {}),
      run: async (rep) => {
        const dir = cacheDir(ctx, 'tags', rep);
        await rm(dir, { recursive: true, force: true });
        return ctx.meter.measure(async () => {
          const r = await regsize(ctx, ['tags', tagsRepo, ...common, '--cache-dir', dir]);
          checkTags(ctx, r);
          return [r];
        });
      },
    },
    {
      id: 'tags-warm',
      label: `regsize tags, ${t} tags, warm`,
      floor: FLOORS.tagsWarm,
      items: t,
      ...(tagsMissing ? { unavailable: tagsMissing } : {}),
      run: (rep) =>
        ctx.meter.measure(async () => {
          const r = await regsize(ctx, ['tags', tagsRepo, ...common, '--cache-dir', cacheDir(ctx, 'tags', rep)]);
          checkTags(ctx, r);
          return [r];
        }),
    },
  ];
}

/** `skopeo inspect` per image, one after another: how it is done today. */
export function skopeoScenario(ctx: BenchContext, available: string | undefined): Scenario {
  const [os, arch] = BENCH_PLATFORM_ID.split('/') as [string, string];
  return {
    id: 'skopeo',
    label: `skopeo inspect x ${ctx.images.compare.length}, one after another`,
    floor: FLOORS.compareCold,
    items: ctx.images.compare.length,
    ...(available ? { unavailable: available } : {}),
    run: () =>
      ctx.meter.measure(async () => {
        const results: ProcResult[] = [];
        for (const img of ctx.images.compare) {
          const r = await runProcess('skopeo', ['--override-os', os, '--override-arch', arch, 'inspect', '--no-creds', '--cert-dir', ctx.certs.certDir, `docker://${ctx.host}/${img.ref}`], {
            env: toolEnv(ctx),
            memoryFile: path.join(ctx.tmp, 'time.out'),
          });
          expectSuccess(r);
          const digest = (JSON.parse(r.stdout) as { Digest?: string }).Digest;
          if (digest !== img.indexDigest) throw new Error(`skopeo inspect ${img.ref} reported digest ${digest}, expected ${img.indexDigest}`);
          results.push(r);
        }
        return results;
      }),
  };
}

/**
 * `docker manifest inspect --verbose` per image: the docker CLI alone, no daemon. --verbose
 * is the form that shows layer sizes (it fetches the manifest of every index entry);
 * --insecure because the CLI reads CAs only from /etc/docker/certs.d (it still does TLS).
 */
export function dockerScenario(ctx: BenchContext, available: string | undefined): Scenario {
  return {
    id: 'docker',
    label: `docker manifest inspect --verbose x ${ctx.images.compare.length}`,
    floor: FLOORS.compareCold,
    items: ctx.images.compare.length,
    ...(available ? { unavailable: available } : {}),
    run: () =>
      ctx.meter.measure(async () => {
        const results: ProcResult[] = [];
        for (const img of ctx.images.compare) results.push(checkDocker(img.manifestDigest, await docker(ctx, img.ref)));
        return results;
      }),
  };
}

function docker(ctx: BenchContext, ref: string, verbose = true): Promise<ProcResult> {
  return runProcess('docker', ['manifest', 'inspect', '--insecure', ...(verbose ? ['--verbose'] : []), `${ctx.host}/${ref}`], { env: toolEnv(ctx), memoryFile: path.join(ctx.tmp, 'time.out') });
}

function checkDocker(manifestDigest: string, r: ProcResult): ProcResult {
  expectSuccess(r);
  if (!r.stdout.includes(manifestDigest)) throw new Error(`docker manifest inspect did not list ${manifestDigest}:\n${r.stdout.slice(0, 1000)}`);
  return r;
}

/** Why a tool cannot be measured here, or undefined when it can (one real call through the link). */
export async function probeTool(ctx: BenchContext, tool: 'skopeo' | 'docker'): Promise<string | undefined> {
  await mkdir(path.join(ctx.tmp, 'docker-config'), { recursive: true });
  const img = ctx.images.compare[0];
  if (!img) return 'no images';
  try {
    if (tool === 'skopeo') {
      expectSuccess(await runProcess('skopeo', ['--version'], { env: toolEnv(ctx) }));
    } else {
      // Without --verbose: the index alone (which lists the digest) proves the CLI works without a daemon.
      checkDocker(img.manifestDigest, await docker(ctx, img.ref, false));
    }
    return undefined;
  } catch (e) {
    const first = (e as Error).message.split('\n').find((l) => l.trim() && !l.startsWith('---')) ?? String(e);
    return `not measured: ${/ENOENT|could not run/.test(String(e)) ? `${tool} is not installed` : first.slice(0, 200)}`;
  }
}

export type StartupId = 'node' | 'node-ca-bundle' | 'esm' | 'oclif' | 'undici' | 'compare-modules' | 'regsize-version' | 'binary-version' | 'binary-warm';

/** A large CA bundle (Debian's, ~140 certificates), for node's own cost of NODE_EXTRA_CA_CERTS. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** `npm run build:binary`'s output; its start-up is measured when it is there. */
export const BINARY = (root: string) => path.join(root, 'dist', 'regsize');

export interface StartupProbe {
  id: StartupId;
  label: string;
  runs: ProcResult[];
  /** The first failure; the probe is not run again after it. */
  error?: string;
}

/**
 * Start-up, without network: `node -e 0` as the baseline, `regsize --version`, and the imports
 * a real command pays for before its first request (to tell which of them costs what). Taken
 * in turn, round after round, so drift hits every probe alike.
 */
export async function startupSamples(ctx: BenchContext, rounds: number): Promise<StartupProbe[]> {
  const env = toolEnv(ctx);
  const importing = (spec: string) => [process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`]] as const;
  const version = (r: ProcResult) => {
    if (!/^regsize\/\d/.test(r.stdout)) throw new Error(`regsize --version printed ${JSON.stringify(r.stdout)}`);
  };
  const warmBinary = await binaryWarmCompare(ctx);
  const probes: (StartupProbe & { argv: readonly [string, readonly string[]]; check?: (r: ProcResult) => void; env?: NodeJS.ProcessEnv })[] = [
    { id: 'node', label: 'node -e 0', runs: [], argv: [process.execPath, ['-e', '0']] },
    // Every figure here runs with NODE_EXTRA_CA_CERTS naming the bench's one-certificate CA; a
    // user's large bundle there costs node itself this much more, before regsize runs a line.
    ...(existsSync(CA_BUNDLE) ? [{ id: 'node-ca-bundle' as const, label: `node -e 0, NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`, runs: [], argv: [process.execPath, ['-e', '0']] as const, env: { ...env, NODE_EXTRA_CA_CERTS: CA_BUNDLE } }] : []),
    {
      id: 'regsize-version',
      label: 'regsize --version',
      runs: [],
      argv: regsizeArgs(ctx, ['--version']),
      check: version,
    },
    ...(existsSync(BINARY(ctx.root)) ? [{ id: 'binary-version' as const, label: 'dist/regsize --version (the single executable)', runs: [], argv: [BINARY(ctx.root), ['--version']] as const, check: version }] : []),
    ...(warmBinary ? [{ id: 'binary-warm' as const, label: `dist/regsize compare, ${compareRefs(ctx).length} images, warm (the single executable)`, runs: [], argv: warmBinary, check: (r: ProcResult) => checkCompare(ctx, r) }] : []),
    // The import probes run as ES modules, like bin/run.js; this is their baseline.
    { id: 'esm', label: 'node: an empty ES module', runs: [], argv: [process.execPath, ['--input-type=module', '-e', '0']] },
    { id: 'oclif', label: 'node: import @oclif/core', runs: [], argv: importing('@oclif/core') },
    { id: 'undici', label: 'node: import undici', runs: [], argv: importing('undici') },
    { id: 'compare-modules', label: 'node: import dist/commands/compare.js (all its modules)', runs: [], argv: importing('./dist/commands/compare.js') },
  ];
  for (let i = 0; i < rounds; i++) {
    for (const p of probes) {
      if (p.error) continue;
      try {
        const r = expectSuccess(await runProcess(p.argv[0], [...p.argv[1]], { env: p.env ?? env, cwd: ctx.root, memoryFile: path.join(ctx.tmp, 'time.out') }));
        p.check?.(r);
        p.runs.push(r);
      } catch (e) {
        p.error = (e as Error).message;
      }
    }
  }
  return probes.map(({ id, label, runs, error }) => ({ id, label, runs, ...(error ? { error } : {}) }));
}

/**
 * The single executable's warm compare (everything cached: no request), when it is built and
 * the compare scenario left a cache: that cache's tag answers are first made fresh again (one
 * unmeasured `--tag-ttl 0` run), since the rounds may come more than --tag-ttl's 5m after it.
 */
async function binaryWarmCompare(ctx: BenchContext): Promise<readonly [string, readonly string[]] | undefined> {
  const dir = cacheDir(ctx, 'compare', 0);
  if (!existsSync(BINARY(ctx.root)) || !existsSync(dir)) return undefined;
  const args = [...compareRefs(ctx), '--platform', BENCH_PLATFORM_ID, '--json', '--cache-dir', dir];
  checkCompare(ctx, await regsize(ctx, [...args, '--tag-ttl', '0']));
  return [BINARY(ctx.root), args];
}
