/**
 * A value inside a command line regsize prints for the user to paste (`aws ecr
 * put-lifecycle-policy --repository-name ...`): single-quoted for a POSIX shell, where nothing
 * is special but the closing quote, which is written as '\'' (close, escaped quote, reopen).
 * So `app$(touch PWNED);` reaches the command as that exact argument and runs nothing.
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_02_02
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

