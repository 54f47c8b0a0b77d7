/**
 * The progress bar of local images whose layers are compressed here to estimate a push
 * (docker-archive:, docker-daemon:): on stderr, on a terminal, never with --json.
 */
import { stderrProgress } from '../render/progress.js';
import type { ArchiveOptions } from '../source/docker-archive.js';

export function archiveProgress(human: boolean): { archive: ArchiveOptions; done: () => void } {
  const progress = stderrProgress('compressing layers (MB)', human);
  // Chunks arrive every 64 KB: redraw at most ten times a second, and at the end.
  let drawn = 0;
  const mb = (n: number) => Math.round(n / 1e6);
  return {
    archive: {
      onProgress: (d, t) => {
        const now = Date.now();
        if (d < t && now - drawn < 100) return;
        drawn = now;
        progress.update(mb(d), mb(t));
      },
    },
    done: () => progress.done(),
  };
}
