/**
 * Running the tools and reading the meters: each run is a child process timed from spawn to
 * exit, its peak memory read by GNU time, and the link and the gateway are read before and
 * after, so every request and byte is attributed to the run that caused it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Gateway, GatewaySnapshot } from './gateway.js';
import type { ShapingProxy, WireSnapshot } from './proxy.js';

const GNU_TIME = '/usr/bin/time';
export const canMeasureMemory = existsSync(GNU_TIME);

/** No single tool invocation may take longer: a stuck run is killed, and the benchmark fails. */
const PROCESS_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 8 * 1024 * 1024;

export interface ProcResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** performance.now() at spawn and at exit (same clock as the proxy and gateway logs). */
  spawnedAt: number;
  exitedAt: number;
  /** Peak resident set size, kB (GNU time's %M), when measured. */
  maxRssKb?: number;
  /** CPU time, user + system, ms (GNU time's %U + %S), when measured. */
  cpuMs?: number;
}

export interface ProcOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Read the peak memory with GNU time (a temp file next to the run's files). */
  memoryFile?: string;
  /** Kill the run after this long. @default PROCESS_TIMEOUT_MS (the local benches compress gigabytes: they give more) */
  timeoutMs?: number;
}

const running = new Set<ReturnType<typeof spawn>>();

/** Kills whatever is still running (the driver calls this on exit and on signals). */
export function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export async function runProcess(cmd: string, args: string[], opts: ProcOptions): Promise<ProcResult> {
  const withTime = opts.memoryFile !== undefined && canMeasureMemory;
  const [file, argv] = withTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', opts.memoryFile as string, cmd, ...args]] : [cmd, args];
  const command = [path.basename(cmd), ...args].join(' ');
  const spawnedAt = performance.now();
  const child = spawn(file, argv, { env: opts.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    outBytes += chunk.length;
    if (outBytes <= MAX_OUTPUT) into.push(chunk);
  };
  child.stdout.on('data', collect(out));
  child.stderr.on('data', collect(err));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? PROCESS_TIMEOUT_MS);
  let exitedAt = 0;
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`could not run ${cmd}: ${e.message}`)));
    child.once('exit', () => (exitedAt = performance.now()));
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    clearTimeout(timer);
    running.delete(child);
  });
  let maxRssKb: number | undefined;
  let cpuMs: number | undefined;
  if (withTime) {
    // GNU time writes "Command exited with non-zero status N" before the figures in that case.
    const text = await readFile(opts.memoryFile as string, 'utf8').catch(() => '');
    const [user, sys, kb] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (kb !== undefined && Number.isFinite(kb) && kb > 0) maxRssKb = kb;
    if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuMs = (user + sys) * 1000;
    await rm(opts.memoryFile as string, { force: true });
  }
  return {
    command,
    ...result,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    spawnedAt,
    exitedAt,
    ...(maxRssKb !== undefined ? { maxRssKb } : {}),
    ...(cpuMs !== undefined ? { cpuMs } : {}),
  };
}

/** Throws with the command's output unless it exited 0. */
export function expectSuccess(r: ProcResult): ProcResult {
  if (r.code !== 0) {
    const why = r.signal ? `was killed by ${r.signal} (timeout ${PROCESS_TIMEOUT_MS / 1000}s?)` : `exited ${r.code}`;
    throw new Error(`${r.command} ${why}\n--- stderr ---\n${r.stderr.trim().slice(-4000)}\n--- stdout ---\n${r.stdout.trim().slice(0, 2000)}`);
  }
  return r;
}

/** One measured run of a scenario: possibly several processes (a loop), one after another. */
export interface Sample {
  /** Wall time from the first spawn to the last exit. */
  ms: number;
  requests: number;
  connections: number;
  tlsHandshakes: number;
  /** Both directions, TLS records included. */
  wireBytes: number;
  /** The largest peak RSS of the processes, kB. */
  maxRssKb?: number;
  /** From spawn to the first TCP connection (start-up before any network), first process. */
  beforeNetworkMs?: number;
  /** From the first TCP connection until the last response reached the client. */
  networkMs?: number;
  /** performance.now() when the last response reached the client (its end left the registry + one way). */
  lastResponseAt?: number;
  processes: ProcResult[];
  gateway: GatewaySnapshot;
  wire: WireSnapshot;
}

/** The link and the gateway, read around each run. */
export class Meter {
  constructor(
    private readonly proxy: ShapingProxy,
    private readonly gateway: Gateway,
    /** Half the round trip: how long a response takes from the registry end to the client. */
    private readonly oneWayMs: number,
  ) {}

  async measure(run: () => Promise<ProcResult[]>): Promise<Sample> {
    // Connections of the previous run must be gone, or their last bytes would count here.
    await this.proxy.idle();
    this.proxy.reset();
    this.gateway.reset();
    const processes = await run();
    await this.proxy.idle();
    const wire = this.proxy.reset();
    const gateway = this.gateway.reset();
    const first = processes[0] as ProcResult;
    const last = processes[processes.length - 1] as ProcResult;
    const maxRss = processes.map((p) => p.maxRssKb).filter((v): v is number => v !== undefined);
    const firstConnect = wire.connectedAt[0];
    // Not the link's last delivery: TLS close alerts and FINs still cross after the exit.
    const lastResponseAt = gateway.requests.length ? Math.max(...gateway.requests.map((q) => q.end)) + this.oneWayMs : undefined;
    return {
      ms: last.exitedAt - first.spawnedAt,
      requests: gateway.requests.length,
      connections: wire.connections,
      tlsHandshakes: gateway.handshakes.length,
      wireBytes: wire.bytesUp + wire.bytesDown,
      ...(maxRss.length ? { maxRssKb: Math.max(...maxRss) } : {}),
      ...(firstConnect !== undefined ? { beforeNetworkMs: firstConnect - first.spawnedAt } : {}),
      ...(firstConnect !== undefined && lastResponseAt !== undefined ? { networkMs: lastResponseAt - firstConnect, lastResponseAt } : {}),
      processes,
      gateway,
      wire,
    };
  }
}

export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(values: number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/**
 * Checks the link itself: a new TLS connection and one request cost exactly 3 RTT on the
 * simulated link (TCP, TLS 1.3, the request). What this takes beyond 3 RTT is the time the
 * machine adds (CPU, scheduling), which every tool pays too.
 */
export async function checkLink(host: string, ca: string, rounds: number): Promise<number[]> {
  const https = await import('node:https');
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = https.request(`https://${host}/v2/`, { ca, agent: false, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('timeout', () => req.destroy(new Error('link check timed out')));
      req.on('error', reject);
      req.end();
    });
    times.push(performance.now() - started);
  }
  return times;
}
