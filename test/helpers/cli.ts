/**
 * Runs the CLI as a user would, in a clean environment: an empty Docker config and private
 * cache and data folders unless the test says otherwise, and nothing else from the test
 * process's environment but PATH, HOME and TMPDIR.
 *
 * runCli runs it in this process (about 1 s cheaper per run than a fresh Node): the same
 * routing as bin/run.js, oclif's own run and error handler, and the same environment,
 * argv, stdout/stderr (pipes, not terminals) and exit code a subprocess would see, all
 * restored afterwards. spawnCli starts `node bin/run.js` for real: for the tests whose point
 * is the process (signals, the binary, bin/run.js itself, two processes at once) and one
 * smoke test per command. cli.test.ts checks the two agree.
 */
import { destroySharedDispatcher } from '../../src/transport/shared-dispatcher.js';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Config, handle, run } from '@oclif/core';
import nock from 'nock';
import { commandIds, routeArgs } from '../../src/cli/route.js';
import { run as runProcess, type Run } from './package.js';

export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What a CLI run gave: its exit code, stdout and stderr (the same shape as a subprocess run). */
export type CliResult = Run;

export type CliEnv = Record<string, string | undefined>;

export function emptyDockerConfig(auths: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-docker-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

/**
 * Each test of the calling suite runs with DOCKER_CONFIG naming a fresh empty config (anonymous
 * pulls whatever the machine's own config says); the folder is removed and the variable put
 * back after each. `dir` is the current test's folder.
 */
export function useEmptyDockerConfig(): { readonly dir: string } {
  const saved = process.env.DOCKER_CONFIG;
  const state = { dir: '' };
  beforeEach(() => {
    state.dir = emptyDockerConfig();
    process.env.DOCKER_CONFIG = state.dir;
  });
  afterEach(() => {
    rmSync(state.dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
  });
  return state;
}

/** The whole environment of one run: the clean defaults, then the test's (undefined unsets). */
function cliEnv(env: CliEnv): Record<string, string> {
  const all: CliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The run's private temp dir (test/setup.ts), so the CLI's temp files are cleaned up with it.
    TMPDIR: process.env.TMPDIR,
    DOCKER_CONFIG: emptyDockerConfig(),
    XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'regsize-cache-')),
    XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'regsize-data-')),
    ...env,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/** `node bin/run.js ...args` in a subprocess. */
export function spawnCli(args: string[], env: CliEnv = {}): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], { env: cliEnv(env) });
}

const STARTUP_ONLY = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'UV_THREADPOOL_SIZE']);
// One run at a time: each one owns process.env, argv, stdout and stderr while it runs.
let queue: Promise<unknown> = Promise.resolve();

/** `regsize ...args` in this process, with what a subprocess would print and exit with. */
export function runCli(args: string[], env: CliEnv = {}): Promise<CliResult> {
  const startOnly = Object.keys(env).filter((key) => STARTUP_ONLY.has(key));
  // Node reads these when a process starts: in this one they would silently do nothing.
  if (startOnly.length) return Promise.reject(new Error(`runCli: ${startOnly.join(', ')} only act when a process starts; use spawnCli`));
  const result = queue.then(() => runInThisProcess(args, cliEnv(env)));
  queue = result.catch(() => undefined);
  return result;
}

async function runInThisProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  // A new process has no dispatcher yet: one a test made earlier (createSession in-process)
  // would carry that test's proxy environment into this run, since undici reads it once.
  destroySharedDispatcher();
  const restore = [swapEnv(env), swapArgv([process.execPath, BIN, ...args]), asPipe(process.stdout), asPipe(process.stderr), withoutNock()];
  const sockets = openedSockets();
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  const savedExitCode = process.exitCode;
  const realExit = process.exit;
  let exited: number | undefined;
  process.exitCode = undefined;
  // oclif's error handler ends with process.exit(code), as bin/run.js does after a run.
  process.exit = ((code?: number | string | null) => {
    exited ??= Number(code ?? process.exitCode ?? 0);
  }) as typeof process.exit;
  try {
    await routeAndRun(args);
    return { code: exited ?? Number(process.exitCode ?? 0), stdout: out.text(), stderr: err.text() };
  } finally {
    await sockets.closeAll();
    out.restore();
    err.restore();
    process.exit = realExit;
    process.exitCode = savedExitCode;
    for (const undo of restore.reverse()) undo();
  }
}

/** What bin/run.js does between reading argv and exiting. */
async function routeAndRun(args: string[]): Promise<void> {
  if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
    const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
    return;
  }
  let routed: string[];
  try {
    routed = routeArgs(args, commandIds(ROOT));
  } catch (e) {
    process.stderr.write(`regsize: ${(e as Error).message}\n`);
    process.exit(2);
    return;
  }
  // A fresh Config each run, as a new process loads: tests that run a command class directly
  // (run-in-process.ts) change state a cached one would carry into the next run's help.
  await run(routed, await Config.load(ROOT)).catch(async (e: Error) => handle(e));
}

/**
 * nock (test/setup.ts) patches this process's sockets; a subprocess has none of it. The CLI
 * must see the network as a subprocess does (a proxy route to a non-loopback name, say).
 */
function withoutNock(): () => void {
  if (!nock.isActive()) return () => {};
  nock.restore();
  return () => nock.activate();
}

/**
 * Every socket the run opens. A subprocess's exit closes them all, and a test may read what a
 * server saw of the client going away (a body cut off, say). Here the command's last step
 * (destroySharedDispatcher) destroys its connections: wait until those are closed, and give
 * the servers in this process a turn of the event loop to see it. Sockets nobody destroyed are
 * left alone: they may be a test server's own (a proxy's upstream connection).
 */
function openedSockets(): { closeAll(): Promise<void> } {
  const opened = new Set<Socket>();
  const onSocket = (message: unknown) => opened.add((message as { socket: Socket }).socket);
  diagnostics.subscribe('net.client.socket', onSocket);
  const turns = async () => {
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    async closeAll() {
      diagnostics.unsubscribe('net.client.socket', onSocket);
      await turns();
      const closing = [...opened].filter((s) => s.destroyed && !s.closed);
      await Promise.all(closing.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve())))));
      await turns();
    },
  };
}

function swapEnv(env: Record<string, string>): () => void {
  const saved = { ...process.env };
  const replace = (next: NodeJS.ProcessEnv) => {
    for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key];
    Object.assign(process.env, next);
  };
  replace(env);
  return () => replace(saved);
}

function swapArgv(argv: string[]): () => void {
  const saved = process.argv;
  process.argv = argv;
  return () => {
    process.argv = saved;
  };
}

/** A subprocess's stdout and stderr are pipes: no TTY, no width (tables print cells whole). */
function asPipe(stream: NodeJS.WriteStream): () => void {
  const own = ['isTTY', 'columns'].map((key) => [key, Object.getOwnPropertyDescriptor(stream, key)] as const);
  for (const [key] of own) Object.defineProperty(stream, key, { value: undefined, configurable: true, writable: true });
  return () => {
    for (const [key, descriptor] of own) {
      if (descriptor) Object.defineProperty(stream, key, descriptor);
      else delete (stream as unknown as Record<string, unknown>)[key];
    }
  };
}

function capture(stream: NodeJS.WriteStream): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const write = Object.getOwnPropertyDescriptor(stream, 'write');
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    // Callers that wait for the write (bin/run.js-style `write('', done)`) get their callback.
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) queueMicrotask(() => done(null));
    return true;
  }) as typeof stream.write;
  return {
    text: () => chunks.join(''),
    restore: () => {
      if (write) Object.defineProperty(stream, 'write', write);
      else delete (stream as unknown as Record<string, unknown>).write;
    },
  };
}
