/**
 * The one writer of lines for people on stderr that are not the logger's (warnings and
 * --verbose lines go through src/log.ts): errors, notes, the lines of failed images, and
 * --debug traces. Each is made terminal-safe here: they quote registries (error bodies, tags)
 * and user input, and nothing in them may act on the terminal.
 */
import { type Failure, failureLines } from '../render/failures.js';
import { terminalSafe } from '../util/terminal-safe.js';

/** Where the lines go: process.stderr, looked up at each write (tests swap its write). */
type Sink = { write(text: string): unknown };

/** One `regsize: ...` line; a newline in `text` is shown, so it stays one line. */
export function stderrLine(text: string, out: Sink = process.stderr): void {
  out.write(`regsize: ${terminalSafe(text)}\n`);
}

/** One line per failed image (or per registry several share), naming what failed and why. */
export function stderrFailures(failures: readonly Failure[], out: Sink = process.stderr): void {
  // failureLines' lines are already prefixed and terminal-safe.
  for (const line of failureLines(failures)) out.write(`${line}\n`);
}

/** An error's stack for --debug: its lines kept, each terminal-safe (the message quotes registries too). */
export function stderrTrace(stack: string, out: Sink = process.stderr): void {
  out.write(`${stack.split('\n').map(terminalSafe).join('\n')}\n`);
}
