/**
 * What the commands that size layers (compare, layers, diff) pass to the library besides the
 * image: the progress of compressing local images' layers, and the uncompressed sizer that
 * --uncompressed or --exact ask for. Their progress bars are closed however the sizing ends,
 * so an error line is never drawn over a half bar.
 */
import type { ArchiveOptions } from '../source/docker-archive.js';
import type { UncompressedSizer } from '../sizing/uncompressed.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../log.js';
import { archiveProgress } from './archive-progress.js';
import { sizerFromFlags, type UncompressedFlagValues } from './uncompressed-flags.js';

export interface LayerSizing {
  archive: ArchiveOptions;
  /** Present with --uncompressed or --exact. */
  uncompressed?: UncompressedSizer;
}

/** Runs `size` with the options the flags ask for; `human` draws the bars (on a terminal, never with --json). */
export async function withLayerSizing<T>(client: RegistryClient, flags: UncompressedFlagValues, human: boolean, size: (o: LayerSizing) => Promise<T>): Promise<T> {
  const { sizer, done } = sizerFromFlags(client, flags, human);
  const compressing = archiveProgress(human);
  try {
    return await size({ archive: compressing.archive, ...(sizer ? { uncompressed: sizer } : {}) });
  } finally {
    compressing.done();
    done();
  }
}

/** compare: one warning per image whose uncompressed size is unknown, pointing at the command that says why. */
export function warnUnknownImages(logger: Logger, images: readonly ({ reference: string; uncompressedSize?: number | null } | { error: unknown })[]): void {
  for (const e of images) {
    if ('error' in e || e.uncompressedSize !== null) continue;
    logger.warn(`${e.reference}: uncompressed size unknown for some layers; regsize layers ${e.reference} --uncompressed says which and why`);
  }
}
