/**
 * oclif's parse errors as one line. oclif writes them for a terminal: a heading ("The
 * following error occurred:"), an indented list of missing arguments, a note about flags that
 * take several values, "See more help with --help", dim colour codes. regsize prints every
 * error as one `regsize: ...` line, so the parts are read back here and joined.
 */

interface MissingArg {
  name?: string;
  description?: string;
}

/** oclif's RequiredArgsError (not exported by @oclif/core) carries the missing arguments. */
function missingArgs(err: Error): MissingArg[] | undefined {
  const args = (err as { args?: unknown }).args;
  return /^Missing \d+ required arg/.test(err.message) && Array.isArray(args) ? (args as MissingArg[]) : undefined;
}

export function oneLineMessage(err: Error): string {
  const missing = missingArgs(err);
  if (missing) {
    const list = missing.map((a) => `${(a.name ?? 'argument').toUpperCase()}${a.description ? ` (${a.description})` : ''}`).join(', ');
    return `missing ${list} (see --help)`;
  }
  // Only oclif's own colour codes (SGR) are removed; any other control character is the
  // message's, a registry's perhaps, and is shown by terminalSafe, never obeyed nor hidden.
  // eslint-disable-next-line no-control-regex -- matching the escape character is the point
  let text = err.message.replace(/\x1b\[[0-9;]*m/g, '').trim();
  const help = /\n\s*See more help with --help$/.test(text);
  text = text.replace(/\s*\n\s*See more help with --help$/, '').replace(/^Error: /, '');
  text = text.replace(/^The following errors? occurred:\s*/, '');
  // A flag's own parser failed: oclif prefixes "Parsing --flag"; drop it when the reason already names the flag.
  const parsing = /^Parsing (--[\w-]+)\s*\n\s*/.exec(text);
  if (parsing) {
    const reason = text.slice(parsing[0].length);
    text = new RegExp(`${parsing[1]}\\b`).test(reason) ? reason : `${parsing[1]}: ${reason}`;
  }
  // oclif's exclusive-flag reason names a boolean as "--json=true".
  text = text.replace(/(--[\w-]+)=true\b/g, '$1').replace(/^(--[\w-]+)(?:=\S+)? cannot also be provided when using (--[\w-]+)$/m, '$1 and $2 cannot be used together: give one');
  const line = text.split(/\s*\n\s*/).filter(Boolean).join('; ');
  return help ? `${line} (see --help)` : line;
}
