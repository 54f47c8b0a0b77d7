/**
 * Runs a Docker credential helper (`docker-credential-<name> get`, server URL on stdin, JSON
 * {ServerURL, Username, Secret} on stdout: https://github.com/docker/docker-credential-helpers)
 * as a program regsize does not trust to behave. A helper is bounded three ways (issue #11):
 *
 *   time    it must answer within `timeoutMs` (the session's --timeout), or it is killed;
 *   size    stdout and stderr together hold at most `maxOutputBytes` (1 MiB: a real answer
 *           is a few hundred bytes), or it is killed;
 *   pipes   it runs in its own process group (spawned detached), and the whole group is
 *           killed when it exits, times out or overflows. A helper's own child that keeps
 *           stdout open would otherwise hold 'close' back forever; killing the group closes
 *           the pipes, and whatever the helper wrote before exiting is still read.
 *
 * Every failure is a one-line CREDENTIALS error naming the program; the helper's output is
 * never echoed, since it may hold a secret.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { RegsizeError } from '../errors.js';
import type { Credentials } from './credential-kinds.js';

export interface HelperLimits {
  /** How long the helper may take to answer. @default 30000 (the session passes --timeout) */
  timeoutMs: number;
  /** Bytes of stdout plus stderr past which the helper is killed. @default 1 MiB */
  maxOutputBytes: number;
}

export const DEFAULT_HELPER_LIMITS: HelperLimits = { timeoutMs: 30_000, maxOutputBytes: 1024 * 1024 };

/**
 * Process groups of helpers still running. Being detached, a helper would not see the Ctrl-C
 * that ends regsize (bin/run.js exits with 130), so whatever is left is killed on exit.
 */
const running = new Set<number>();
let exitHook = false;

function track(pid: number): void {
  running.add(pid);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const pgid of running) killPgid(pgid);
  });
}

function killPgid(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of the group is left
  }
}

/** Kills the helper's whole process group; it may be gone already. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  killPgid(child.pid);
}

/** Runs `docker-credential-<helper> get`. "credentials not found" means anonymous, not an error. */
export function runCredentialHelper(helper: string, serverUrl: string, limits: Partial<HelperLimits> = {}): Promise<Credentials | undefined> {
  const { timeoutMs, maxOutputBytes } = { ...DEFAULT_HELPER_LIMITS, ...limits };
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) track(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child);
      if (child.pid !== undefined) running.delete(child.pid);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      outcome();
    };
    const fail = (message: string) => finish(() => reject(new RegsizeError('CREDENTIALS', message)));
    // Node's timers hold 2^31-1 ms at most; a longer one would fire at once.
    const timer = setTimeout(() => fail(`credential helper ${program} did not answer within ${timeoutMs / 1000}s and was stopped; check it, or raise --timeout`), Math.min(timeoutMs, 2 ** 31 - 1));

    const collect = (into: Buffer[]) => (d: Buffer) => {
      bytes += d.length;
      if (bytes > maxOutputBytes) return fail(`credential helper ${program} printed more than ${maxOutputBytes} bytes and was stopped; a credential is a few hundred bytes, so check the helper`);
      into.push(d);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e: NodeJS.ErrnoException) => {
      fail(e.code === 'ENOENT' ? `credential helper ${program} is not installed (named in your Docker config); install it or remove it from the config` : `credential helper ${program} failed: ${e.message}`);
    });
    // The helper is done: what is left of its group (a child holding the pipes) goes too, so
    // 'close' follows once the pipes are drained.
    child.on('exit', () => killGroup(child));
    child.on('close', (code, signal) => {
      if (settled) return;
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        if (/credentials not found/i.test(stdout + Buffer.concat(err).toString('utf8'))) return finish(() => resolve(undefined));
        // Never echo the helper's output: it may contain a secret.
        return fail(`credential helper ${program} ${code === null ? `was killed by ${signal}` : `exited with code ${code}`}; run "docker login ${serverUrl}" again`);
      }
      let doc: { Username?: unknown; Secret?: unknown };
      try {
        doc = JSON.parse(stdout) as typeof doc;
      } catch {
        return fail(`credential helper ${program} printed something that is not JSON`);
      }
      if (doc === null || typeof doc !== 'object' || (doc.Secret !== undefined && typeof doc.Secret !== 'string') || (doc.Username !== undefined && typeof doc.Username !== 'string')) {
        return fail(`credential helper ${program} answered JSON without a string Username and Secret`);
      }
      const secret = doc.Secret as string | undefined;
      const username = doc.Username as string | undefined;
      if (!secret) return finish(() => resolve(undefined));
      // The helpers' convention: Username "<token>" means Secret is an identity token.
      if (username === '<token>') return finish(() => resolve({ kind: 'identity', identityToken: secret }));
      finish(() => resolve({ kind: 'basic', username: username ?? '', password: secret }));
    });
    // A helper may exit without reading its input; the exit code tells what happened, not EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
}
