/**
 * How wide a table may be: the terminal's width when stdout is one, so long names and build
 * steps are shortened in the middle instead of wrapping; none for a pipe or a file (a script
 * reading the table gets every cell whole), or with --wide.
 */
export function tableWidth(wide: boolean, out: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  return !wide && out.isTTY && out.columns !== undefined && out.columns > 0 ? out.columns : undefined;
}
