/**
 * The flags and glue `regsize files` and `regsize diff --files` share: the download limit,
 * the plan announced on stderr before any layer is read, the progress bar (terminals only),
 * and the listing cache beside the content cache.
 */
import { Flags } from '@oclif/core';
import { defaultCacheDir } from '../cache/disk.js';
import { DEFAULT_MAX_DOWNLOAD, type DownloadPlan, type FilesOptions, type FilesResult } from '../files/analyse.js';
import { renderFiles } from '../render/files.js';
import { ExitCode } from './exit-codes.js';
import { DiskListingCache, noListingCache } from '../files/listing-cache.js';
import { stderrByteProgress } from '../render/progress.js';
import { type Bandwidth, formatBytes, formatDuration, transferSeconds, type Units } from '../units.js';
import type { Logger } from '../log.js';
import { stderrLine } from './error-line.js';
import { bandwidthFlag, type BandwidthList, type SizeLimit, sizeFlag } from './flags.js';
import { type TableFormat, tableStyle } from './output.js';

export const filesFlags = {
  bandwidth: bandwidthFlag({ description: 'link speeds: the first one is used for the "about N s" estimate before layers are downloaded (bits/s: 5Mbps; bytes/s: 10MB/s)' }),
  'max-download': sizeFlag({ description: 'refuse (exit 2, listing the layers) when the layers to read add up to more than this', default: { bytes: DEFAULT_MAX_DOWNLOAD, label: '500MB' }, defaultHelp: async () => '500MB' }),
  top: Flags.integer({ description: 'rows of largest files, folders and packages', default: 20, min: 1, max: 10_000 }),
  packages: Flags.boolean({ description: 'also list the largest installed packages (dpkg, apk, Python dist-info, npm) and the layer that installed each', default: false }),
};

export interface FilesFlagValues {
  bandwidth: BandwidthList;
  'max-download': SizeLimit;
  top: number;
  concurrency: number;
  units: Units;
  'cache-dir'?: string | undefined;
  'no-cache': boolean;
  format: TableFormat;
  packages: boolean;
}

/** The options for analyseImage from the flags; call `done()` when it settles. */
export function filesOptionsFromFlags(flags: FilesFlagValues, logger: Logger, human: boolean): Omit<FilesOptions, 'platform'> & { done: () => void } {
  const dir = flags['no-cache'] ? undefined : (flags['cache-dir'] ?? defaultCacheDir());
  const cache = dir ? new DiskListingCache(dir, logger) : noListingCache;
  const progress = stderrByteProgress('reading layers', human);
  return {
    logger,
    cache,
    maxDownload: flags['max-download'].bytes,
    top: flags.top,
    packages: flags.packages,
    concurrency: Math.min(flags.concurrency, 8),
    onPlan: (plan) => stderrLine(planLine(plan, flags.bandwidth.first, flags.units)),
    onProgress: (d, t) => progress.update(d, t),
    done: () => progress.done(),
  };
}

export function planLine(plan: DownloadPlan, bw: Bandwidth, units: Units): string {
  if (plan.layers.length === 0) return 'every layer listing needed is cached: nothing to download';
  if (plan.local) return `reading ${plan.layers.length} layer${plan.layers.length === 1 ? '' : 's'} from disk to list their files: ${formatBytes(plan.bytes, units)}`;
  return `downloading ${plan.layers.length} layer${plan.layers.length === 1 ? '' : 's'} to list their files: ${formatBytes(plan.bytes, units)}, about ${formatDuration(transferSeconds(plan.bytes, bw))} at ${bw.label}`;
}

/**
 * Runs an analysis with the flags' options, then reports as both commands do: warnings on
 * stderr, the table (or markdown) on stdout unless --json, exit 1 when a layer could not be
 * read; the returned result is what --json prints (packages only with --packages).
 */
export async function runFiles(
  analyse: (options: Omit<FilesOptions, 'platform'>) => Promise<FilesResult>,
  flags: FilesFlagValues,
  logger: Logger,
  out: { human: boolean; log: (text: string) => void },
): Promise<FilesResult> {
  const { done, ...options } = filesOptionsFromFlags(flags, logger, out.human);
  let result: FilesResult;
  try {
    result = await analyse(options);
  } finally {
    done();
  }
  for (const w of result.warnings) logger.warn(`${result.reference}: ${w}`);
  if (out.human) out.log(renderFiles(result, { units: flags.units, style: tableStyle(flags.format), packages: flags.packages, width: process.stdout.columns }).trimEnd());
  if (result.failedLayers) process.exitCode = ExitCode.FAILED;
  return flags.packages ? result : { ...result, packages: [] };
}
