/**
 * Runs a real CNCF distribution registry (Debian's docker-registry 2.8) on loopback for
 * integration tests and benchmarks, so regsize is exercised against a real server rather
 * than against our own idea of one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Override for machines where the registry binary lives elsewhere. */
export const REGISTRY_BIN = process.env.REGSIZE_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface Credentials {
  username: string;
  password: string;
}

export interface LocalRegistry {
  /** "127.0.0.1:PORT", as it appears in image references. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** Temp dir holding config.yml, htpasswd and the blob store (dir/data). */
  dir: string;
  auth?: Credentials;
  /** Kills the registry, waits for it to exit and deletes dir. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
const STDERR_LIMIT = 16_384;

// Every registry still running, so none can outlive the test run (see killAllSync).
const running = new Set<{ child: ChildProcess; dir: string }>();
let hooksInstalled = false;

/** PEM files for a TLS listener (the registry then answers HTTPS, and HTTP/2 by ALPN). */
export interface TlsFiles {
  cert: string;
  key: string;
}

export async function startRegistry(opts: { auth?: Credentials; tls?: TlsFiles } = {}): Promise<LocalRegistry> {
  installExitHooks();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regsize-registry-'));
  try {
    let lastError: unknown;
    // The free port is only free when we probe it: another process can take it before the
    // registry binds, so a failed start is retried on a fresh port.
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        return await startOnce(dir, await freePort(), opts.auth, opts.tls);
      } catch (err) {
        lastError = err;
        if (!/address already in use/.test(String(err))) break;
      }
    }
    throw lastError;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startOnce(dir: string, port: number, auth: Credentials | undefined, tls: TlsFiles | undefined): Promise<LocalRegistry> {
  const host = `127.0.0.1:${port}`;
  const url = `${tls ? 'https' : 'http'}://${host}`;
  const configPath = path.join(dir, 'config.yml');
  await writeFile(configPath, await configYaml(dir, host, auth, tls));

  // stdout is the access log (disabled anyway); stderr is kept for error messages.
  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const entry = { child, dir };
  running.add(entry);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });
  // 'close' rather than 'exit': it comes after stderr is drained, so error messages are complete.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // Hard failures (ENOENT) come as 'error', often without an 'exit'.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // A forgotten registry must not keep mocha alive: the exit hook kills it instead.
  child.unref();
  (child.stderr as net.Socket).unref();

  const fail = async (why: string): Promise<never> => {
    await stopChild(child, exited);
    running.delete(entry);
    throw new Error(`docker-registry on ${host} ${why}\n--- registry stderr ---\n${stderr.trim() || '(empty)'}`);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (true) {
    const early = await Promise.race([
      exited.then(() => `exited early (code ${child.exitCode}, signal ${child.signalCode})`),
      spawnError.then((e) => `could not be spawned from ${REGISTRY_BIN}: ${e.message}`),
      probe(url, auth !== undefined).then((ok) => (ok ? 'ready' : undefined)),
    ]);
    if (early === 'ready') break;
    if (early !== undefined) return fail(early);
    if (Date.now() > deadline) return fail(`did not answer GET /v2/ within ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }

  let stopped: Promise<void> | undefined;
  return {
    host,
    url,
    dir,
    ...(auth ? { auth } : {}),
    stop() {
      stopped ??= (async () => {
        await stopChild(child, exited);
        running.delete(entry);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** True once GET /v2/ gets the answer a working registry gives (401 means auth is on). */
async function probe(url: string, withAuth: boolean): Promise<boolean> {
  if (url.startsWith('https:')) return probeTls(url, withAuth);
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === (withAuth ? 401 : 200);
  } catch {
    return false; // not listening yet
  }
}

/** The probe for a TLS registry with a self-signed certificate (not verified: it is ours). */
function probeTls(url: string, withAuth: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/v2/`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === (withAuth ? 401 : 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  // The child is unref'd, so this (ref'd) timer is also what keeps Node alive until 'exit'.
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function configYaml(dir: string, host: string, auth: Credentials | undefined, tls: TlsFiles | undefined): Promise<string> {
  // JSON strings are valid YAML double-quoted scalars, so paths need no other escaping.
  const q = JSON.stringify;
  let yaml = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${q(path.join(dir, 'data'))}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${host}
  secret: ${q(randomBytes(16).toString('hex'))}
`;
  if (tls) yaml += `  tls:\n    certificate: ${q(tls.cert)}\n    key: ${q(tls.key)}\n`;
  // (A fixed secret avoids the "No HTTP secret provided" warning; purging is off because a
  // throwaway store needs no janitor goroutine.)
  if (auth) {
    const htpasswdPath = path.join(dir, 'htpasswd');
    await writeFile(htpasswdPath, htpasswdLine(auth));
    yaml += `auth:
  htpasswd:
    realm: regsize-test
    path: ${q(htpasswdPath)}
`;
  }
  return yaml;
}

/** distribution only accepts bcrypt entries, hence -B. */
function htpasswdLine({ username, password }: Credentials): string {
  const r = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
  if (r.error) throw new Error(`htpasswd: ${r.error.message} (install apache2-utils)`);
  if (r.status !== 0) throw new Error(`htpasswd exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Last line of defence, for registries a test forgot to stop or a run that was interrupted. */
function killAllSync(): void {
  for (const { child, dir } of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  // A signal without a listener ends Node without 'exit', so listen, clean up, and then
  // re-raise so the process still dies the way it would have (unless someone else listens).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllSync();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

let shared: Promise<LocalRegistry> | undefined;

/**
 * One plain registry for the whole run, started on first use and stopped by test/setup.ts
 * after the last test: for tests that need no special config (auth, TLS, a hostile server).
 * Files share its store, so each keeps its repositories under its own `namespace/` (use the
 * returned `repo`), and none may list the catalog. Its stop() does nothing.
 */
export async function sharedRegistry(namespace: string): Promise<LocalRegistry & { repo(name: string): string }> {
  if (!/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/.test(namespace)) throw new Error(`sharedRegistry: "${namespace}" is not a one-component repository namespace`);
  shared ??= startRegistry();
  const reg = await shared;
  return { host: reg.host, url: reg.url, dir: reg.dir, repo: (name) => `${namespace}/${name}`, stop: async () => {} };
}

/** Stops the shared registry, if a test started it (test/setup.ts, after the run). */
export async function stopSharedRegistry(): Promise<void> {
  const reg = shared;
  shared = undefined;
  await (await reg?.catch(() => undefined))?.stop();
}
