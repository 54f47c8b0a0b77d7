/**
 * 100 images through the real CLI against the real local registry, with faults injected at
 * random by a proxy in front of it (test/helpers/fault-proxy.ts). Transient faults (502, 503,
 * 504, 429 with Retry-After, resets, bodies cut off mid-way) hit at most twice per request, so
 * three retries must always see them through; a dozen images carry a fault that does not lift.
 * Every image must end with its correct size or its own error: none lost, none duplicated,
 * none swapped, the order kept.
 */
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import type { AnyEntry as Entry, CompareJson } from '../helpers/compare-json.js';
import { type Fault, type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type Image, makeImage, makeIndex, makeRandomLayer, pushImage, pushIndex } from '../helpers/images.js';
import { pushBlob } from '../helpers/push.js';
import { recordRetryWaits } from '../helpers/retry-waits.js';
import { inBackground } from '../helpers/background.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same choices. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.REGSIZE_FAULT_SEED ?? 20240601);
const COUNT = 100;
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

type Doom = 'missing' | 'corrupt' | '503' | '500' | 'reset' | 'cut';
const DOOMS: Doom[] = ['missing', 'corrupt', '503', '500', 'reset', 'cut'];
/** What each permanent fault must end in, and whether it is retried on the way. */
const EXPECTED: Record<Doom, { code: string; message: RegExp; retried: boolean }> = {
  missing: { code: 'MANIFEST_UNKNOWN', message: /manifest unknown/, retried: false },
  corrupt: { code: 'DIGEST_MISMATCH', message: /content digest sha256:[a-f0-9]{64} does not match sha256:[a-f0-9]{64}/, retried: false },
  '503': { code: 'REGISTRY_ERROR', message: /answered HTTP 503 \(injected 503\)/, retried: true },
  '500': { code: 'REGISTRY_ERROR', message: /answered HTTP 500 \(injected 500\)/, retried: false },
  reset: { code: 'NETWORK', message: /network error/, retried: true },
  cut: { code: 'NETWORK', message: /network error/, retried: true },
};
const PERMANENT: Record<Exclude<Doom, 'missing'>, Fault> = {
  corrupt: { kind: 'corrupt' },
  '503': { kind: 'status', status: 503 },
  '500': { kind: 'status', status: 500 },
  reset: { kind: 'reset' },
  cut: { kind: 'cut' },
};
const TRANSIENT: Fault[] = [
  { kind: 'status', status: 502 },
  { kind: 'status', status: 503 },
  { kind: 'status', status: 504 },
  { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  { kind: 'reset' },
  { kind: 'cut' },
];

interface Planned {
  ref: string;
  path: string;
  /** Compressed size of the linux/amd64 image (what compare reports). */
  size: number;
  doom?: Doom;
}

/**
 * The fleet: planned now, as mocha loads this file, and pushed in the background
 * (../helpers/background.ts) while the tests before it run.
 */
function fleet(registry: Promise<LocalRegistry>): { plan: Planned[]; doomedPaths: Map<string, Doom>; pushed: Promise<void> } {
  const plan: Planned[] = [];
  const doomedPaths = new Map<string, Doom>();
  const random = rng(SEED);
  const order = Array.from({ length: COUNT }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const doomOf = new Map(order.slice(0, 2 * DOOMS.length).map((i, k) => [i, DOOMS[k % DOOMS.length] as Doom]));
  const base = makeRandomLayer({ size: 2000, seed: 'fleet-base' });

  const pushes: ((reg: LocalRegistry) => Promise<unknown>)[] = [];
  for (let i = 0; i < COUNT; i++) {
    const repo = `fleet/r${i % 10}`;
    const tag = `t${i}`;
    const own = (p: string) => makeRandomLayer({ size: 300 + Math.floor(random() * 3000), seed: `fleet-${i}-${p}`, compression: random() < 0.3 ? 'zstd' : 'gzip' });
    const amd: Image = makeImage({ layers: i % 2 === 0 ? [base, own('a')] : [own('a'), own('b')], platform: AMD64, format: i % 3 === 0 ? 'docker' : 'oci' });
    const doom = doomOf.get(i);
    const entry: Planned = { ref: '', path: `/v2/${repo}/manifests/${tag}`, size: amd.layers.reduce((s, l) => s + l.size, 0), ...(doom ? { doom } : {}) };
    plan.push(entry);
    entry.ref = `${repo}:${tag}`;
    if (doom) doomedPaths.set(entry.path, doom);
    if (doom === 'missing') continue;
    if (i % 5 === 0) {
      const arm = makeImage({ layers: [own('arm')], platform: ARM64 });
      pushes.push((reg) => pushIndex(reg, repo, tag, makeIndex([{ image: amd }, { image: arm }], { attestations: i % 10 === 0 })));
    } else {
      pushes.push((reg) => pushImage(reg, repo, tag, amd));
    }
  }
  const pushed = inBackground(async () => {
    const reg = await registry;
    // The shared layer first: concurrent uploads of one blob can race in the registry.
    await pushBlob(reg, 'fleet/r0', base.blob);
    for (let r = 1; r < 10; r++) await pushBlob(reg, `fleet/r${r}`, base.blob);
    for (let k = 0; k < pushes.length; k += 10) await Promise.all(pushes.slice(k, k + 10).map((p) => p(reg)));
  });
  return { plan, doomedPaths, pushed };
}

const registry = startRegistry();
registry.catch(() => undefined); // a failed start is reported by before(), not as unhandled
const { plan, doomedPaths, pushed } = fleet(registry);

describe('hardening: 100 images with random faults injected', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let proxy: FaultProxy;

  before(async () => {
    reg = await registry;
    await pushed;

    // Transient faults: a third of the requests, at most twice for the same request.
    const faultRandom = rng(SEED + 1);
    const seen = new Map<string, number>();
    proxy = await startFaultProxy(reg.url, ({ method, path }) => {
      const doom = doomedPaths.get(path);
      if (doom && doom !== 'missing') return PERMANENT[doom];
      if (doom) return undefined;
      const key = `${method} ${path}`;
      const n = seen.get(key) ?? 0;
      if (n >= 2 || faultRandom() >= 0.35) return undefined;
      seen.set(key, n + 1);
      return TRANSIENT[Math.floor(faultRandom() * TRANSIENT.length)];
    });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it('ends every image with its correct size or its own error, in order, each once', async () => {
    const refs = plan.map((p) => `${proxy.host}/${p.ref}`);
    // The backoffs and Retry-Afters are recorded, not slept (../helpers/retry-waits.ts).
    const retry = recordRetryWaits();
    const r = await runCli([...refs, '--json', '--platform', 'linux/amd64', '--concurrency', '16', '--timeout', '10', '--verbose']).finally(() => retry.restore());
    const context = `seed ${SEED}; faults injected: ${proxy.injected.length}`;
    assert.equal(r.code, 1, `${context}\n${r.stderr.slice(-3000)}`);
    const images = (JSON.parse(r.stdout) as CompareJson).images;

    assert.equal(images.length, COUNT, `one entry per image (${context})`);
    assert.deepEqual(images.map((e) => e.reference), refs, 'in the order given, none lost, none duplicated');
    plan.forEach((p, i) => {
      const e = images[i] as Entry;
      if (p.doom) {
        const want = EXPECTED[p.doom];
        assert.equal(e.error?.code, want.code, `${p.ref} (${p.doom}): ${JSON.stringify(e)} (${context})`);
        assert.match(e.error.message, want.message, p.ref);
        const names = e.error.message.includes(`${proxy.host}/${p.ref}`) || e.error.message.includes(`GET ${proxy.url}${p.path} failed`);
        assert.ok(names, `the message names the image or its request: ${e.error.message}`);
      } else {
        assert.equal(e.error, undefined, `${p.ref} should have survived its transient faults: ${JSON.stringify(e.error)} (${context})`);
        assert.equal(e.platform, 'linux/amd64');
        assert.equal(e.compressedSize, p.size, `${p.ref} (${context})`);
      }
    });

    // The faults really happened, of every kind, and each retried one shows in --verbose.
    const transient = proxy.injected.filter((f) => !doomedPaths.has(f.path));
    for (const f of TRANSIENT) {
      assert.ok(transient.some((t) => JSON.stringify(t.fault) === JSON.stringify(f)), `no ${JSON.stringify(f)} was injected (${context})`);
    }
    let permanentRetries = 0;
    for (const [path, doom] of doomedPaths) {
      const hits = proxy.requests.filter((q) => q.path === path).length;
      if (doom === 'missing') continue;
      assert.equal(hits, EXPECTED[doom].retried ? 4 : 1, `${doom} at ${path}: one attempt${EXPECTED[doom].retried ? ' and three retries' : ', not retried'}`);
      if (EXPECTED[doom].retried) permanentRetries += 3;
    }
    const retryLines = r.stderr.match(/^regsize: retrying /gm)?.length ?? 0;
    assert.equal(retryLines, transient.length + permanentRetries, `every retry is logged with --verbose (${context})`);
    const logged = [...r.stderr.matchAll(/^regsize: retrying .* in (\d+)ms \(/gm)].map((m) => Number(m[1]));
    assert.deepEqual([...retry.waits].sort((a, b) => a - b), logged.sort((a, b) => a - b), 'each retry waited what it logged');
    assert.ok(retry.waits.includes(1000), `a 429's Retry-After: 1 was waited for (${context})`);
  });
});
