/**
 * For the packaging tests: a copy of this checkout to pack or build from (the suite runs from
 * dist/, which `npm pack`'s clean build would delete under it), a PATH that holds node and
 * nothing else, and a promise around a child process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { delimiter, dirname, join } from 'node:path';
import { ROOT } from '../commands/run-in-process.js';

export { ROOT };

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 300_000, killSignal: 'SIGKILL' });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      running.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Kills what run() started and is still running (test/setup.ts, after the last test): a build
 * started in the background (./prebuilt.ts) for a test that never came, say, would otherwise
 * keep mocha waiting for it, or outlive the run's temp dir.
 */
export function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * The files git knows (committed or not, minus ignored ones) copied to `dir`, node_modules
 * linked. Asynchronous: it runs in the background while other tests run (./prebuilt.ts), and
 * must not block their timers.
 */
export async function copyCheckout(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const listed = await promisify(execFile)('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, env, maxBuffer: 64 << 20 });
  // node_modules is linked below; a checkout whose own node_modules is a link (a worktree
  // sharing another's) lists it as an untracked file, since `node_modules/` ignores folders only.
  const files = listed.stdout.split('\0').filter((f) => f && f !== 'node_modules' && existsSync(join(ROOT, f)));
  const archive = join(dir, '..', `${Date.now()}-checkout.tar`);
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-c', '--null', '-T', '-', '-f', archive], { cwd: ROOT, env, stdio: ['pipe', 'ignore', 'inherit'] });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar -c exited ${code}`))));
    tar.stdin.end(files.join('\0'));
  });
  await promisify(execFile)('tar', ['-x', '-f', archive, '-C', dir], { env });
  await rm(archive, { force: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

/** A folder holding only a link to this node: a PATH with no compiler, make or python. */
export function nodeOnlyPath(dir: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

/** The tools a native build needs, found on `path` (none, for the no-compiler tests). */
export function compilersOn(path: string): string[] {
  return ['gcc', 'g++', 'cc', 'c++', 'make', 'python3', 'python'].filter((t) => path.split(delimiter).some((d) => existsSync(join(d, t))));
}

/** npm's own CLI script, next to this node (so it runs without npm on PATH). */
export const NPM_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

/** The environment (`base`) minus npm's own variables (a suite started by `npm test` has dozens). */
export function cleanEnv(extra: NodeJS.ProcessEnv, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}
