/**
 * A report result for the renderer tests, built from a few known layer sizes so every figure a
 * test expects is computed here, from those sizes, not copied from a renderer's output.
 */
import type { ImageEntry } from '../../src/sizing/compare.js';
import type { ReportImage, ReportResult } from '../../src/report/model.js';

export const SHA = (c: string) => `sha256:${c.repeat(64)}`;

/** Layer sizes of the two images. */
export const APP_LAYERS = [28_000_000, 14_500_000, 2_345_678];
export const BASE_LAYERS = [3_600_000];
export const APP_SIZE = APP_LAYERS.reduce((s, n) => s + n, 0);
export const BASE_SIZE = BASE_LAYERS.reduce((s, n) => s + n, 0);
/** The app's size in the previous run: it grew by this much since. */
export const APP_GROWTH = 5_000_000;
export const APP_BUDGET = 40_000_000;

function entry(reference: string, sizes: number[], c: string): ImageEntry {
  return {
    reference,
    name: `docker.io/library/${reference}`,
    digest: SHA(c),
    platform: 'linux/amd64',
    manifestDigest: SHA(c === 'a' ? 'b' : 'e'),
    compressedSize: sizes.reduce((s, n) => s + n, 0),
    layers: sizes.map((size, i) => ({ digest: SHA(String(i)), size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })),
  };
}

export function reportResult(): ReportResult {
  const previous = { at: '2025-05-31T06:00:00.000Z', digest: SHA('a'), manifestDigest: SHA('9'), compressedSize: APP_SIZE - APP_GROWTH };
  const percent = Math.round((APP_GROWTH / previous.compressedSize) * 10_000) / 100;
  const app: ReportImage = {
    ...entry('app:1', APP_LAYERS, 'a'),
    source: 'images',
    budget: { maxSize: APP_BUDGET, over: APP_SIZE > APP_BUDGET, headroom: APP_BUDGET - APP_SIZE },
    history: { previous: { from: previous, bytes: APP_GROWTH, percent }, since: null, rebuilt: true, growthAlert: percent > 10, trend: [{ at: previous.at, compressedSize: previous.compressedSize }, { at: '2025-06-01T06:00:00.000Z', compressedSize: APP_SIZE }] },
    growthBudget: null,
  };
  const base: ReportImage = { ...entry('alpine:3.20', BASE_LAYERS, 'c'), source: 'tags', budget: null, history: null, growthBudget: null };
  return {
    title: 'Nightly images',
    generatedAt: '2025-06-01T06:00:00.000Z',
    config: 'regsize.yaml',
    platform: 'linux/amd64',
    bandwidths: [],
    since: { window: '30d', cutoff: '2025-05-02T06:00:00.000Z' },
    alertGrowthPercent: 10,
    history: { path: '/tmp/h.db', previousRunAt: previous.at, recorded: true },
    images: [app, base, { reference: 'broken:1', source: 'images', budget: null, error: { code: 'NAME_UNKNOWN', message: 'repository broken not found' } }],
    repositories: [],
    summary: {
      entries: 3,
      sized: 2,
      failed: 1,
      overBudget: APP_SIZE > APP_BUDGET ? 1 : 0,
      overGrowth: 0,
      rebuilt: 1,
      growthAlerts: percent > 10 ? 1 : 0,
      totalSize: APP_SIZE + BASE_SIZE,
      repositories: 0,
      repositoriesFailed: 0,
      storedSize: 0,
      monthlyCost: 0,
    },
  };
}
