/**
 * The progress bar of local images whose layers are compressed here to estimate a push
 * (docker-archive:, docker-daemon:): on stderr, on a terminal, never with --json.
 */
import { stderrByteProgress } from '../render/progress.js';
import type { ArchiveOptions } from '../source/docker-archive.js';

export function archiveProgress(human: boolean): { archive: ArchiveOptions; done: () => void } {
  const progress = stderrByteProgress('compressing layers', human);
  return {
    archive: { onProgress: (d, t) => progress.update(d, t) },
    done: () => progress.done(),
  };
}
