/**
 * Where `--verbose` lines go: stderr by default, never stdout (stdout is for data). Lines quote
 * registries (names, messages), so they are made terminal-safe here, for every caller at once.
 */
import { terminalSafe } from './util/terminal-safe.js';

export interface Logger {
  debug(line: string): void;
  warn(line: string): void;
  /**
   * False when debug lines go nowhere: a hot path (a line per request, thousands for `tags`)
   * then skips building them (redacting a URL, formatting bytes: about 6% of a 2000-tag run's
   * CPU). A logger without it is taken to want them.
   */
  readonly verbose?: boolean;
}

export const silentLogger: Logger = { debug: () => {}, warn: () => {}, verbose: false };

export function stderrLogger(verbose: boolean): Logger {
  return {
    verbose,
    debug: verbose ? (line) => process.stderr.write(`regsize: ${terminalSafe(line)}\n`) : () => {},
    warn: (line) => process.stderr.write(`regsize: warning: ${terminalSafe(line)}\n`),
  };
}
