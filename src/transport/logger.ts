/** Where `--verbose` lines go: stderr by default, never stdout (stdout is for data). */
export interface Logger {
  debug(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { debug: () => {}, warn: () => {} };

export function stderrLogger(verbose: boolean): Logger {
  return {
    debug: verbose ? (line) => process.stderr.write(`regsize: ${line}\n`) : () => {},
    warn: (line) => process.stderr.write(`regsize: warning: ${line}\n`),
  };
}
