/**
 * --uncompressed and --exact, defined once for every command that sizes layers (compare,
 * layers, diff), with the sizer and the warnings they share.
 */
import { Flags } from '@oclif/core';
import { stderrByteProgress } from '../render/progress.js';
import type { LayerBlobSource } from '../oci/layer-reader.js';
import { shortDigest } from '../render/layers.js';
import { UncompressedSizer } from '../sizing/uncompressed.js';
import type { Logger } from '../log.js';

export const uncompressedFlags = {
  uncompressed: Flags.boolean({
    description: 'also report exact uncompressed (tar) sizes, as docker images shows them, from a few bytes of each layer (no layer is downloaded)',
    default: false,
  }),
  exact: Flags.boolean({
    description: 'uncompressed sizes even where a few bytes cannot settle them (zstd without a content size, gzip that may pass 4 GiB, registries that ignore Range): those layers are downloaded and counted, with a progress bar; implies --uncompressed',
    default: false,
  }),
};

export interface UncompressedFlagValues {
  uncompressed: boolean;
  exact: boolean;
  concurrency: number;
}

/** The sizer the flags ask for (undefined without --uncompressed), and its progress bar. */
export function sizerFromFlags(client: LayerBlobSource, flags: UncompressedFlagValues, human: boolean): { sizer: UncompressedSizer | undefined; done: () => void } {
  if (!flags.uncompressed && !flags.exact) return { sizer: undefined, done: () => {} };
  // Only --exact downloads whole layers, so only it draws a bar (on a terminal, never with --json).
  const progress = stderrByteProgress('counting layer bytes', human && flags.exact);
  const onStreamProgress = (d: number, t: number) => progress.update(d, t);
  const sizer = new UncompressedSizer(client, { exact: flags.exact, concurrency: flags.concurrency, onStreamProgress });
  return { sizer, done: () => progress.done() };
}

/**
 * One stderr line per layer whose uncompressed size is unknown, saying why, and per layer whose
 * count differed from what its metadata claimed (--exact); `all` gives positions.
 */
export function warnUnknownLayers(
  logger: Logger,
  what: string,
  layers: { digest: string; uncompressedSize?: number | null; uncompressedNote?: string }[],
  all: { digest: string }[] = layers,
): void {
  for (const l of layers) {
    if (l.uncompressedSize !== null && !l.uncompressedNote) continue;
    const position = all.findIndex((a) => a.digest === l.digest) + 1;
    const which = `${what}: layer ${position ? `${position} ` : ''}(${shortDigest(l.digest)})`;
    if (l.uncompressedSize === null) logger.warn(`${which}: uncompressed size unknown: ${l.uncompressedNote ?? 'no reason given'}`);
    else logger.warn(`${which}: ${l.uncompressedNote}`);
  }
}
