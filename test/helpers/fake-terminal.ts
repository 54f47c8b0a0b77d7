/** Runs `fn` with process.stderr posing as a terminal, returning what was written to it. */
export async function onFakeTerminal(fn: () => unknown): Promise<string> {
  const stderr = process.stderr as { isTTY?: boolean | undefined; columns?: number | undefined };
  const saved = { isTTY: stderr.isTTY, columns: stderr.columns, write: process.stderr.write };
  let written = '';
  stderr.isTTY = true;
  stderr.columns = 100;
  process.stderr.write = ((chunk: string | Uint8Array) => ((written += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    stderr.isTTY = saved.isTTY;
    stderr.columns = saved.columns;
    process.stderr.write = saved.write;
  }
  return written;
}
