/**
 * Where `--verbose` lines go: stderr by default, never stdout (stdout is for data). Lines quote
 * registries (names, messages), so they are made terminal-safe here, for every caller at once.
 */
import { terminalSafe } from './util/terminal-safe.js';

export interface Logger {
  debug(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { debug: () => {}, warn: () => {} };

export function stderrLogger(verbose: boolean): Logger {
  return {
    debug: verbose ? (line) => process.stderr.write(`regsize: ${terminalSafe(line)}\n`) : () => {},
    warn: (line) => process.stderr.write(`regsize: warning: ${terminalSafe(line)}\n`),
  };
}
