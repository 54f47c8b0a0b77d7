/**
 * For the packaging tests: a copy of this checkout to pack or build from (the suite runs from
 * dist/, which `npm pack`'s clean build would delete under it), a PATH that holds node and
 * nothing else, and a promise around a child process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ROOT } from '../commands/run-in-process.js';

export { ROOT };

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 300_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The files git knows (committed or not, minus ignored ones) copied to `dir`, node_modules linked. */
export function copyCheckout(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT }).toString().split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  const archive = join(dir, '..', `${Date.now()}-checkout.tar`);
  execFileSync('tar', ['-c', '--null', '-T', '-', '-f', archive], { cwd: ROOT, input: files.join('\0') });
  execFileSync('tar', ['-x', '-f', archive, '-C', dir]);
  execFileSync('rm', ['-f', archive]);
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

/** The environment minus npm's own variables (a suite started by `npm test` has dozens). */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}
