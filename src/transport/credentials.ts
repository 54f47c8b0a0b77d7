/**
 * Registry credentials, found where `docker login` puts them: $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json, with `auths` entries, identity tokens, and credential helpers
 * (`credsStore`, `credHelpers`) spoken to through the docker-credential-helpers protocol:
 * `docker-credential-<name> get`, server URL on stdin, JSON {ServerURL, Username, Secret} on stdout.
 * Secrets read here live in memory only and are never logged.
 */
import { dockerConfigDir } from '../paths.js';
import { join } from 'node:path';
import { RegsizeError } from '../errors.js';
import { DOCKER_HUB } from '../reference/reference.js';
import type { Credentials } from './credential-kinds.js';
import { type HelperLimits, runCredentialHelper } from './credential-helper.js';
import { type DockerConfigFile, readDockerConfig } from './docker-config.js';

export { runCredentialHelper } from './credential-helper.js';

export type { Credentials } from './credential-kinds.js';

export interface CredentialStore {
  /** Credentials for a registry host as users write it (`docker.io`, `ghcr.io`, `localhost:5000`). */
  get(registry: string): Promise<Credentials | undefined>;
}

/** Docker Hub's credentials are filed under its legacy index URL. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1'];

function keysFor(registry: string): string[] {
  if (registry === DOCKER_HUB) return DOCKER_HUB_KEYS;
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dockerConfigDir(env), 'config.json');
}

export class DockerConfigCredentials implements CredentialStore {
  private config: Promise<DockerConfigFile> | undefined;
  private readonly found = new Map<string, Promise<Credentials | undefined>>();

  constructor(
    private readonly path = dockerConfigPath(),
    private readonly runHelper: HelperRunner = runCredentialHelper,
  ) {}

  get(registry: string): Promise<Credentials | undefined> {
    let p = this.found.get(registry);
    if (!p) {
      p = this.lookup(registry);
      this.found.set(registry, p);
    }
    return p;
  }

  private load(): Promise<DockerConfigFile> {
    this.config ??= readDockerConfig(this.path);
    return this.config;
  }

  private async lookup(registry: string): Promise<Credentials | undefined> {
    const cfg = await this.load();
    const keys = keysFor(registry);
    const helperKey = keys.find((k) => cfg.credHelpers?.[k] !== undefined);
    const helper = helperKey !== undefined ? cfg.credHelpers?.[helperKey] : cfg.credsStore;
    if (helper) {
      const serverUrl = registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
      const fromHelper = await this.runHelper(helper, serverUrl);
      if (fromHelper) return fromHelper;
    }
    for (const key of keys) {
      const entry = cfg.auths?.[key];
      if (!entry) continue;
      if (entry.identitytoken) return { kind: 'identity', identityToken: entry.identitytoken, ...(entry.username ? { username: entry.username } : {}) };
      if (entry.registrytoken) return { kind: 'registry-token', token: entry.registrytoken };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon === -1) throw new RegsizeError('CREDENTIALS', `the "auth" entry for ${key} in ${this.path} is malformed; run docker login ${registry} again`);
        return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
      if (entry.username && entry.password) return { kind: 'basic', username: entry.username, password: entry.password };
    }
    return undefined;
  }
}

export type HelperRunner = (helper: string, serverUrl: string) => Promise<Credentials | undefined>;

/** A helper runner bounded by `limits` (the session passes its --timeout). */
export function helperRunner(limits: Partial<HelperLimits> = {}): HelperRunner {
  return (helper, serverUrl) => runCredentialHelper(helper, serverUrl, limits);
}

/** Tries stores in order; the first that knows the registry wins (ECR before Docker config). */
export class ChainedCredentials implements CredentialStore {
  constructor(private readonly stores: CredentialStore[]) {}
  async get(registry: string): Promise<Credentials | undefined> {
    for (const s of this.stores) {
      const c = await s.get(registry);
      if (c) return c;
    }
    return undefined;
  }
}

/** Every secret string a credential holds, for redaction. */
export function secretsOf(c: Credentials | undefined): string[] {
  if (!c) return [];
  if (c.kind === 'basic') return [c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64')];
  if (c.kind === 'identity') return [c.identityToken];
  return [c.token];
}
