/**
 * Bytes, sizes, bandwidths and durations, for tables and for parsing flags.
 * Tables use SI units as Docker prints them (45.5 MB = 45,500,000 bytes); `--units iec` gives
 * MiB. JSON always carries exact bytes.
 */
import { UsageError } from './errors.js';

export type Units = 'si' | 'iec';

const SI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Three significant digits, as Docker's HumanSizeWithPrecision(size, 3): 45.5 MB, 125 MB, 1.23 GB. */
export function formatBytes(bytes: number, units: Units = 'si'): string {
  const base = units === 'si' ? 1000 : 1024;
  const names = units === 'si' ? SI : IEC;
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  if (i === 0) return `${sign}${v} B`;
  let text = Number(v.toPrecision(3));
  if (text >= base && i < names.length - 1) {
    text = Number((v / base).toPrecision(3));
    i++;
  }
  return `${sign}${text} ${names[i]}`;
}

export function formatSignedBytes(bytes: number, units: Units = 'si'): string {
  return bytes > 0 ? `+${formatBytes(bytes, units)}` : bytes === 0 ? '0 B' : formatBytes(bytes, units);
}

export function formatPercent(part: number, whole: number, signed = false): string {
  if (whole === 0) return part === 0 ? '0%' : 'n/a';
  const p = (part / whole) * 100;
  const text = `${Math.abs(p) < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
  return signed && p > 0 ? `+${text}` : text;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * "200MB", "1.5 GiB", "500000" -> bytes (integer). With `unit: 'required'` (command-line
 * limits) a bare number is refused: `--max-size 30` meaning 30 bytes is never what was meant.
 */
export function parseSize(text: string, what = 'size', opts: { unit?: 'required' | 'optional' } = {}): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m && m[2] === '' && opts.unit === 'required') {
    throw new UsageError('INVALID_INPUT', `invalid ${what} "${text.trim()}": give a unit, e.g. ${m[1]}MB or ${m[1]}MiB (${m[1]}B for bytes)`);
  }
  const factor = m ? SIZE_UNITS[(m[2] as string).toLowerCase() || 'b'] : undefined;
  if (!m || factor === undefined) {
    throw new UsageError('INVALID_INPUT', `invalid ${what} "${text}": use a number with a unit, e.g. 200MB, 1.5GB or 300MiB`);
  }
  return Math.round(Number(m[1]) * factor);
}

/** The units a size was written in: "30MiB" is IEC, "30MB" and "30B" are SI. */
export function unitsOf(label: string): Units {
  return /[kKmMgGtTpP]i/.test(label) ? 'iec' : 'si';
}

const BIT_RATE: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

export interface Bandwidth {
  /** As the user wrote it, for column headers: "5Mbps". */
  label: string;
  bitsPerSecond: number;
}

/**
 * "5Mbps", "100 Mbit/s", "1Gbps", "512kbps" (bits per second, as links are sold), and
 * "10MB/s" or "10MBps" (bytes per second: a capital B).
 */
export function parseBandwidth(text: string): Bandwidth {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?)(bps|bit\/s|bits\/s|bit|b\/s|Bps|B\/s|B)\s*$/.exec(text);
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError('INVALID_INPUT', `invalid bandwidth "${text}": use e.g. 5Mbps, 100Mbit/s, 1Gbps or 10MB/s`);
  }
  const [, num, prefix, iec, unit] = m as unknown as [string, string, string, string, string];
  const scale = iec ? 1024 ** ['', 'k', 'm', 'g', 't'].indexOf(prefix.toLowerCase()) : (BIT_RATE[prefix.toLowerCase()] as number);
  const bytesUnit = unit === 'Bps' || unit === 'B/s' || unit === 'B';
  return { label: text.trim().replace(/\s+/g, ''), bitsPerSecond: Number(num) * scale * (bytesUnit ? 8 : 1) };
}

export function parseBandwidthList(text: string): Bandwidth[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('INVALID_INPUT', '--bandwidth needs at least one value, e.g. 5Mbps,1Gbps');
  return list.map(parseBandwidth);
}

/** Seconds to move `bytes` at a bandwidth, ignoring latency (a lower bound on a real pull). */
export function transferSeconds(bytes: number, bw: Bandwidth): number {
  return (bytes * 8) / bw.bitsPerSecond;
}

/** 0.4s, 12s, 7m 12s, 1h 02m. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds < 0.1 && seconds > 0 ? '<0.1' : seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "30d", "12h", "90m", "45s", "5m" -> milliseconds. */
export function parseDurationMs(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) throw new UsageError('INVALID_INPUT', `invalid ${what} "${text}": use e.g. 30s, 5m, 12h or 30d`);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Math.round(Number(m[1]) * unit);
}
