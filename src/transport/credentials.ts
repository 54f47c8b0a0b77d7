/**
 * Registry credentials, found where `docker login` puts them: $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json, with `auths` entries, identity tokens, and credential helpers
 * (`credsStore`, `credHelpers`) spoken to through the docker-credential-helpers protocol:
 * `docker-credential-<name> get`, server URL on stdin, JSON {ServerURL, Username, Secret} on stdout.
 * Secrets read here live in memory only and are never logged.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegsizeError } from '../errors.js';
import { DOCKER_HUB } from '../reference/reference.js';

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  /** OAuth2 refresh token from `docker login` with SSO; exchanged at the token realm. */
  | { kind: 'identity'; username?: string; identityToken: string }
  /** A bearer token to send as-is. */
  | { kind: 'registry-token'; token: string };

export interface CredentialStore {
  /** Credentials for a registry host as users write it (`docker.io`, `ghcr.io`, `localhost:5000`). */
  get(registry: string): Promise<Credentials | undefined>;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Docker Hub's credentials are filed under its legacy index URL. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1'];

function keysFor(registry: string): string[] {
  if (registry === DOCKER_HUB) return DOCKER_HUB_KEYS;
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
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
    this.config ??= readFile(this.path, 'utf8').then(
      (text) => {
        try {
          return JSON.parse(text) as DockerConfigFile;
        } catch {
          throw new RegsizeError('CREDENTIALS', `${this.path} is not valid JSON; fix or remove it`);
        }
      },
      () => ({}), // no config file: anonymous access
    );
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

/** Runs `docker-credential-<helper> get`. "credentials not found" means anonymous, not an error. */
export function runCredentialHelper(helper: string, serverUrl: string): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new RegsizeError('CREDENTIALS', e.code === 'ENOENT' ? `credential helper ${program} is not installed (named in your Docker config); install it or remove it from the config` : `credential helper ${program} failed: ${e.message}`));
    });
    child.on('close', (code) => {
      if (code !== 0) {
        if (/credentials not found/i.test(out + err)) return resolve(undefined);
        // Never echo the helper's output: it may contain a secret.
        return reject(new RegsizeError('CREDENTIALS', `credential helper ${program} exited with code ${code}; run "docker login ${serverUrl}" again`));
      }
      try {
        const doc = JSON.parse(out) as { Username?: string; Secret?: string };
        if (!doc.Secret) return resolve(undefined);
        // The helpers' convention: Username "<token>" means Secret is an identity token.
        if (doc.Username === '<token>') return resolve({ kind: 'identity', identityToken: doc.Secret });
        resolve({ kind: 'basic', username: doc.Username ?? '', password: doc.Secret });
      } catch {
        reject(new RegsizeError('CREDENTIALS', `credential helper ${program} printed something that is not JSON`));
      }
    });
    // A helper may exit without reading its input; the exit code tells what happened, not EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
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
