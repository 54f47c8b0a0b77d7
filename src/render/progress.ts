/**
 * A progress bar on stderr, drawn only when stderr is a terminal and the output is not
 * --json: pipes and machine output never see it.
 */
export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

export const noProgress: Progress = { update: () => {}, done: () => {} };

export function stderrProgress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return noProgress;
  let drawn = false;
  return {
    update(done, total) {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(`\r${label} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}
