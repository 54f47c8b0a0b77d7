/**
 * Progress bars on stderr, drawn only when stderr is a terminal and the output is not
 * --json: pipes and machine output never see them. Two kinds: counts of items (images sized,
 * repositories audited) and bytes (--exact downloads, layers compressed or read here), the
 * second with MB, percent, rate and time left (#13).
 */
import { formatBytes, formatDuration } from '../units.js';

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

export const noProgress: Progress = { update: () => {}, done: () => {} };

/** Where a bar is drawn: process.stderr, or a fake one in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** The part of `process` a bar needs to clear itself on Ctrl-C. */
export interface SignalHost {
  prependListener(event: 'SIGINT', listener: () => void): unknown;
  removeListener(event: 'SIGINT', listener: () => void): unknown;
  listenerCount(event: 'SIGINT'): number;
  kill(pid: number, signal: 'SIGINT'): unknown;
  pid: number;
}

export interface ProgressOptions {
  /** @default process.stderr */
  stream?: ProgressStream;
  /** Milliseconds, for the rate and for redrawing at most ten times a second. @default Date.now */
  now?: () => number;
  /** @default process */
  signals?: SignalHost;
}

const BAR_WIDTH = 20;
/** Bytes move in chunks of a few KB: redraw at most this often, and at the end. */
const REDRAW_MS = 100;
/** A rate measured over less than this swings wildly: until then the line says so. */
const MIN_RATE_MS = 1000;
/** Erases the line the cursor is on: carriage return, then erase to the end of the line. */
export const CLEAR_LINE = '\r\x1b[K';

function bar(done: number, total: number): string {
  const filled = total <= 0 ? BAR_WIDTH : Math.max(0, Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)));
  return `[${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}]`;
}

/**
 * One line of a byte bar, pure: "counting layer bytes [=====     ] 12.3 MB / 45.6 MB 27% 3.1 MB/s 11s left".
 * Sizes in SI units, as the tables print them. The rate is the mean since the first byte; before
 * a second has passed it is "measuring rate", as no time left can be told yet. `columns` (the
 * terminal's width) drops the bar, then cuts the line, so it never wraps: a wrapped line
 * cannot be erased with a carriage return.
 */
export function byteProgressLine(label: string, done: number, total: number, elapsedMs: number, columns?: number): string {
  const percent = total <= 0 ? 100 : Math.floor((Math.min(done, total) / total) * 100);
  const parts = [`${formatBytes(done)} / ${formatBytes(total)}`, `${percent}%`];
  if (elapsedMs < MIN_RATE_MS || done <= 0) parts.push('measuring rate');
  else {
    const perSecond = (done * 1000) / elapsedMs;
    parts.push(`${formatBytes(Math.round(perSecond))}/s`);
    if (done < total) parts.push(`${formatDuration((total - done) / perSecond)} left`);
  }
  const figures = parts.join(' ');
  const line = `${label} ${bar(done, total)} ${figures}`;
  if (columns === undefined || columns <= 0 || line.length < columns) return line;
  const short = `${label} ${figures}`;
  return short.length < columns ? short : short.slice(0, Math.max(0, columns - 1));
}

/**
 * The line on the terminal: drawn over itself with a carriage return, erased when done, and
 * erased on Ctrl-C so the shell prompt starts on a clean line. While a line is drawn a SIGINT
 * listener is registered (first, so the line is gone before any other listener writes); it
 * erases the line and lets the signal's own behaviour go on: bin/run.js's listener exits 130,
 * and when no other listener is there the signal is raised again so the default action (the
 * process ends) still happens.
 */
function terminalLine(stream: ProgressStream, signals: SignalHost): { draw(line: string): void; clear(): void } {
  let drawn = false;
  const clear = () => {
    if (!drawn) return;
    stream.write(CLEAR_LINE);
    signals.removeListener('SIGINT', onSigint);
    drawn = false;
  };
  const onSigint = () => {
    clear();
    if (signals.listenerCount('SIGINT') === 0) signals.kill(signals.pid, 'SIGINT');
  };
  return {
    draw(line) {
      if (!drawn) signals.prependListener('SIGINT', onSigint);
      drawn = true;
      stream.write(`\r${line}`);
    },
    clear,
  };
}

/** A bar counting items: "sizing [=======   ] 3/10". */
export function stderrProgress(label: string, enabled: boolean, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!enabled || !stream.isTTY) return noProgress;
  const line = terminalLine(stream, options.signals ?? process);
  return {
    update: (done, total) => line.draw(`${label} ${bar(done, total)} ${done}/${total}`),
    done: () => line.clear(),
  };
}

/** A bar counting bytes, with byteProgressLine's figures; the clock starts at the first update with no bytes yet. */
export function stderrByteProgress(label: string, enabled: boolean, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!enabled || !stream.isTTY) return noProgress;
  const now = options.now ?? Date.now;
  const line = terminalLine(stream, options.signals ?? process);
  let start: number | undefined;
  let drawnAt: number | undefined;
  return {
    update(done, total) {
      const t = now();
      // A new archive starts again from zero: so does its rate.
      if (start === undefined || done === 0) start = t;
      if (done < total && drawnAt !== undefined && t - drawnAt < REDRAW_MS) return;
      drawnAt = t;
      line.draw(byteProgressLine(label, done, total, t - start, stream.columns));
    },
    done: () => line.clear(),
  };
}
