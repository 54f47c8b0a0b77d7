/**
 * Where the Docker Engine API is, found as the docker CLI finds it
 * (https://docs.docker.com/engine/manage-resources/contexts/):
 *   1. $DOCKER_CONTEXT, if set, names a context;
 *   2. else $DOCKER_HOST, if set, is the endpoint;
 *   3. else `currentContext` in $DOCKER_CONFIG/config.json (default ~/.docker) names a context;
 *   4. else unix:///var/run/docker.sock.
 * A context's endpoint is `Endpoints.docker.Host` in
 * $DOCKER_CONFIG/contexts/meta/<sha256 of the context name>/meta.json; "default" is step 4.
 * Only unix sockets and plain tcp are spoken (no TLS, no ssh).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { RegsizeError } from '../errors.js';
import { dockerConfigDir } from '../paths.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface EngineEndpoint {
  /** As the user would write it: unix:///path or tcp://host:port. */
  host: string;
  /** Which context it came from, when one. */
  context?: string;
}

function readJson(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegsizeError('CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new RegsizeError('CONFIG_INVALID', `${file} is not valid JSON; fix it or set DOCKER_HOST`);
  }
}

function contextHost(configDir: string, name: string): string {
  if (name === 'default') return DEFAULT_DOCKER_HOST;
  const meta = readJson(path.join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json'));
  const host = ((meta?.Endpoints as Record<string, { Host?: unknown }> | undefined)?.docker?.Host);
  if (typeof host !== 'string') throw new RegsizeError('CONFIG_INVALID', `docker context "${name}" is not defined or has no docker endpoint; docker context ls lists them`);
  return host;
}

export function engineEndpoint(env: NodeJS.ProcessEnv = process.env, home = homedir()): EngineEndpoint {
  const configDir = dockerConfigDir(env, home);
  if (env.DOCKER_CONTEXT) return { host: contextHost(configDir, env.DOCKER_CONTEXT), context: env.DOCKER_CONTEXT };
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST };
  const current = readJson(path.join(configDir, 'config.json'))?.currentContext;
  if (typeof current === 'string' && current !== '' && current !== 'default') return { host: contextHost(configDir, current), context: current };
  return { host: DEFAULT_DOCKER_HOST };
}

/** Requests to one Engine; the API version is the one Docker 20.10 and podman's compat API both speak. */
export class EngineClient {
  /** Made at the first request: undici is loaded only by a run that reads a Docker Engine. */
  private dispatcher: Promise<Dispatcher> | undefined;
  private readonly origin: string;
  private readonly socketPath: string | undefined;

  constructor(readonly endpoint: EngineEndpoint, private readonly timeoutMs = 30_000) {
    const host = endpoint.host;
    if (host.startsWith('unix://')) {
      this.socketPath = host.slice('unix://'.length);
      this.origin = 'http://docker';
    } else if (host.startsWith('tcp://') || host.startsWith('http://')) {
      this.origin = `http://${host.replace(/^(tcp|http):\/\//, '')}`;
    } else {
      throw new RegsizeError('INVALID_INPUT', `cannot use the Docker Engine at ${host}: only unix:// and tcp:// endpoints are supported; set DOCKER_HOST`);
    }
  }

  private agent(): Promise<Dispatcher> {
    const socketPath = this.socketPath;
    this.dispatcher ??= import('undici').then(({ Agent }) => (socketPath !== undefined ? new Agent({ connect: { socketPath } }) : new Agent()));
    return this.dispatcher;
  }

  /** GET a path; 404 is returned to the caller, other errors thrown with what to do. */
  async get(p: string): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    try {
      res = await (await this.agent()).request({ origin: this.origin, path: `/v1.41${p}`, method: 'GET', headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOENT' ? 'no such socket' : code === 'EACCES' ? 'permission denied (are you in the docker group?)' : ((e as Error).message || String(code));
      throw new RegsizeError('NETWORK', `cannot reach the Docker Engine at ${this.endpoint.host}: ${why}; is Docker running? set DOCKER_HOST or use docker context`, { cause: e });
    }
    if (res.statusCode !== 200 && res.statusCode !== 404) {
      // Escaped before it reaches a terminal: the Engine's text is untrusted.
      const text = JSON.stringify((await res.body.text()).slice(0, 300));
      throw new RegsizeError('REGISTRY_ERROR', `the Docker Engine at ${this.endpoint.host} answered ${res.statusCode} for ${p}: ${text}`);
    }
    return res;
  }

  async close(): Promise<void> {
    await (await this.dispatcher)?.close();
  }
}
