/**
 * How regsize's cost grows (issue #16): a cold compare of N = 1, 30 and 100 images (6 is the
 * main set's), against the same 6-RTT floor, and `tags` of 400 and 2000 tags, with the CPU
 * time each tag costs. Skippable as `fleet` and `tagscale`.
 *
 *   fleet     fleet/app-NN:1, 100 images, each an index of 2 platforms, base layer shared
 *   tagscale  library/tagscale-400 (400 tags over 40 indexes) and -2000 (2000 over 100): each
 *             index pushed once, then its aliases (a tag PUT of the same bytes)
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { makeImage, makeIndex, type Image, pushIndex } from '../test/helpers/images.js';
import { pushManifest, type RegistryTarget } from '../test/helpers/push.js';
import { mapLimit } from '../src/util/limit.js';
import { FLOORS } from './floor.js';
import { expectSuccess, runProcess, type ProcResult } from './measure.js';
import { BENCH_PLATFORM, layer, platformId, PUSH_CONCURRENCY, type PushedImage } from './populate.js';
import { BENCH_PLATFORM_ID, type BenchContext, regsizeArgs, type Scenario, toolEnv } from './scenarios.js';

export const FLEET_SIZES = [1, 30, 100];
export const TAG_COUNTS = [400, 2000];
/** Tags per index in the tagscale repositories (releases and their aliases). */
const TAGS_PER_INDEX = { 400: 10, 2000: 20 } as Record<number, number>;

export interface ScaleImages {
  fleet: PushedImage[];
  tagRepos: { repo: string; tags: { tag: string; indexDigest: string; compressedSize: number }[] }[];
}

const PLATFORMS = [BENCH_PLATFORM, { os: 'linux', architecture: 'arm64', variant: 'v8' }];

/** A small two-platform index: the shared base layer and one layer of its own per platform. */
function smallIndex(name: string): { index: ReturnType<typeof makeIndex>; amd64: Image } {
  const images = PLATFORMS.map((p) => makeImage({ layers: [layer(`fleet-base@${platformId(p)}`, 'ADD rootfs.tar.gz /'), layer(`${name}@${platformId(p)}`, `COPY ${name} /app`)], platform: p }));
  return { index: makeIndex(images.map((image) => ({ image }))), amd64: images[0] as Image };
}

export async function populateScale(reg: RegistryTarget, skip: Set<string>): Promise<ScaleImages> {
  const fleet = skip.has('fleet')
    ? []
    : await mapLimit(
        Array.from({ length: Math.max(...FLEET_SIZES) }, (_, i) => `app-${String(i).padStart(3, '0')}`),
        PUSH_CONCURRENCY,
        async (name): Promise<PushedImage> => {
          const { index, amd64 } = smallIndex(name);
          await pushIndex(reg, `fleet/${name}`, '1', index);
          return { ref: `fleet/${name}:1`, repo: `fleet/${name}`, indexDigest: index.digest, manifestDigest: amd64.manifestDigest, compressedSize: amd64.layers.reduce((s, l) => s + l.size, 0), layerCount: amd64.layers.length };
        },
      );
  const tagRepos: ScaleImages['tagRepos'] = [];
  for (const count of skip.has('tagscale') ? [] : TAG_COUNTS) {
    const repo = `library/tagscale-${count}`;
    const perIndex = TAGS_PER_INDEX[count] ?? 10;
    const tags: ScaleImages['tagRepos'][number]['tags'] = [];
    for (let r = 0; r < count / perIndex; r++) {
      const { index, amd64 } = smallIndex(`${repo}-r${r}`);
      const names = Array.from({ length: perIndex }, (_, a) => `1.${r}.${a}`);
      await pushIndex(reg, repo, names[0] as string, index);
      await mapLimit(names.slice(1), 8, (tag) => pushManifest(reg, repo, tag, index.manifest, index.mediaType));
      const compressedSize = amd64.layers.reduce((s, l) => s + l.size, 0);
      tags.push(...names.map((tag) => ({ tag, indexDigest: index.digest, compressedSize })));
    }
    tagRepos.push({ repo, tags });
  }
  return { fleet, tagRepos };
}

function checkFleet(images: PushedImage[], r: ProcResult): void {
  expectSuccess(r);
  const got = (JSON.parse(r.stdout) as { images?: { digest?: string; manifestDigest?: string; compressedSize?: number }[] }).images ?? [];
  if (got.length !== images.length) throw new Error(`regsize compare returned ${got.length} entries, expected ${images.length}`);
  images.forEach((want, i) => {
    const e = got[i] ?? {};
    if (e.digest !== want.indexDigest || e.manifestDigest !== want.manifestDigest || e.compressedSize !== want.compressedSize) throw new Error(`regsize compare answered wrongly for ${want.ref}: ${JSON.stringify(e).slice(0, 300)}`);
  });
}

function checkTagList(want: ScaleImages['tagRepos'][number]['tags'], r: ProcResult): void {
  expectSuccess(r);
  const entries = (JSON.parse(r.stdout) as { tags?: { tag?: string; digest?: string; compressedSize?: number }[] }).tags ?? [];
  const byTag = new Map(entries.map((e) => [e.tag, e]));
  for (const w of want) {
    const e = byTag.get(w.tag);
    if (!e || e.digest !== w.indexDigest || e.compressedSize !== w.compressedSize) throw new Error(`regsize tags answered wrongly for ${w.tag}: ${JSON.stringify(e ?? 'missing').slice(0, 300)}`);
  }
}

export function scaleScenarios(ctx: BenchContext, scale: ScaleImages, tagsMissing: string | undefined): Scenario[] {
  const common = ['--platform', BENCH_PLATFORM_ID, '--json'];
  const run = (args: string[]) => {
    const [cmd, argv] = regsizeArgs(ctx, args);
    return runProcess(cmd, argv, { env: toolEnv(ctx), memoryFile: path.join(ctx.tmp, 'time.out') });
  };
  const fleet: Scenario[] = FLEET_SIZES.map((n) => {
    const images = scale.fleet.slice(0, n);
    return {
      id: `fleet-${n}`,
      label: `regsize compare, ${n} image${n === 1 ? '' : 's'}, cold`,
      floor: FLOORS.compareCold,
      items: n,
      ...(images.length < n ? { unavailable: 'skipped (--skip)' } : {}),
      run: async (rep) => {
        const dir = path.join(ctx.tmp, `cache-fleet-${n}-${rep}`);
        await rm(dir, { recursive: true, force: true });
        return ctx.meter.measure(async () => {
          const r = await run([...images.map((i) => `${ctx.host}/${i.ref}`), ...common, '--cache-dir', dir]);
          checkFleet(images, r);
          return [r];
        });
      },
    };
  });
  const tags: Scenario[] = TAG_COUNTS.map((count) => {
    const repo = scale.tagRepos.find((t) => t.tags.length === count);
    return {
      id: `tagscale-${count}`,
      label: `regsize tags, ${count} tags, cold`,
      floor: FLOORS.tagsCold,
      items: count,
      ...(tagsMissing ? { unavailable: tagsMissing } : !repo ? { unavailable: 'skipped (--skip)' } : {}),
      run: async (rep) => {
        const dir = path.join(ctx.tmp, `cache-tagscale-${count}-${rep}`);
        await rm(dir, { recursive: true, force: true });
        return ctx.meter.measure(async () => {
          const r = await run(['tags', `${ctx.host}/${repo?.repo}`, ...common, '--cache-dir', dir]);
          checkTagList(repo?.tags ?? [], r);
          return [r];
        });
      },
    };
  });
  return [...fleet, ...tags];
}
