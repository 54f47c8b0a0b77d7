/**
 * The host a compare, layers, diff or tags run will connect to first, read from its arguments
 * before oclif is loaded, so bin/run.js can open that connection early (transport/preconnect.ts,
 * issue #16).
 *
 * No second parser: the routing is routeArgs's, and which flags take a value comes from the
 * committed oclif.manifest.json, which oclif writes from the very flag objects it parses with
 * (test/cli/early-target.test.ts holds the two to agreeing on every flag of those commands). Anything it
 * is not sure of (a flag it does not know, --help, plain HTTP, a proxy, a local source) means
 * no early connection: the run then connects as it always did. Nor is there one when the cache
 * will answer every image (early-cache.ts): a warm compare sends no request. `tags` always asks
 * for the tag list: its first host is the registry, or Docker Hub's own API for a Docker Hub
 * repository while --hub-api is on (as it is by default).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiHost, DOCKER_HUB, parseRepository, type Reference } from '../reference/reference.js';
import { HUB_API, HUB_API_BY_DEFAULT, hubNamespace } from '../tags/hub-api.js';
import { isLocalInput, parseImageInput } from '../source/parse.js';
import { cacheAnswersAll } from './early-cache.js';
import { commandIds, routeArgs } from './route.js';

// bin/run.js opens the connection with it, from this module's bundle (no second module to load first).
export { preconnect } from '../transport/preconnect.js';

interface ManifestFlag {
  type: 'boolean' | 'option';
  default?: unknown;
  char?: string;
  aliases?: string[];
  allowNo?: boolean;
}

export interface EarlyTarget {
  hostname: string;
  port: number;
}

/**
 * Any of these set, even one undici would not use (ALL_PROXY; transport/dispatcher.ts's
 * proxyConfigured says which it uses): no early connection. Wider on purpose: an early socket
 * to the registry that the run then reaches through a proxy is a handshake wasted.
 */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** Commands that read registry images: their first argument is the first image asked for. */
const IMAGE_COMMANDS = new Set(['compare', 'layers', 'diff']);

/** The https origin of the first request of a compare, layers, diff or tags run, or undefined. */
export function earlyTarget(args: string[], root: string, env: NodeJS.ProcessEnv = process.env): EarlyTarget | undefined {
  // Through a proxy the first connection is the proxy's (undici's EnvHttpProxyAgent decides which).
  if (PROXY_VARIABLES.some((v) => env[v])) return undefined;
  let routed: string[];
  let commands: Record<string, { flags: Record<string, ManifestFlag> }>;
  try {
    routed = routeArgs(args, commandIds(root));
    commands = (JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: typeof commands }).commands;
  } catch {
    return undefined;
  }
  const command = routed[0];
  if (command === undefined || (!IMAGE_COMMANDS.has(command) && command !== 'tags')) return undefined;
  const flags = commands[command]?.flags ?? {};
  const read = readArgv(routed.slice(1), flags);
  if (!read) return undefined;
  const host = command === 'tags' ? tagsHost(read) : imagesHost(read, flags, env);
  // host or host:port; an IPv6 literal ([::1]) is left to undici.
  const m = host === undefined ? null : /^([^:[\]]+)(?::(\d+))?$/.exec(host);
  if (!m?.[1]) return undefined;
  return { hostname: m[1], port: m[2] === undefined ? 443 : Number(m[2]) };
}

/**
 * The first image's registry, unless it is local or the cache answers every image (as it does
 * a warm compare; for layers or diff it may still need a blob, which then waits for its own
 * connection as it did before).
 */
function imagesHost(read: ReadArgv, flags: Record<string, ManifestFlag>, env: NodeJS.ProcessEnv): string | undefined {
  const image = read.args[0];
  if (image === undefined) return undefined;
  let registry: string;
  try {
    const input = parseImageInput(image);
    if (isLocalInput(input)) return undefined;
    registry = apiHost(input.registry);
  } catch {
    return undefined;
  }
  return cacheAnswers(read, flags, env) ? undefined : registry;
}

/** Where `tags REPO` sends its first request: as src/tags/size.ts chooses. */
function tagsHost(read: ReadArgv): string | undefined {
  const [repository, ...more] = read.args;
  // More than one argument: oclif refuses the run.
  if (repository === undefined || more.length > 0) return undefined;
  let repo: ReturnType<typeof parseRepository>;
  try {
    repo = parseRepository(repository);
  } catch {
    return undefined;
  }
  const hubApi = read.booleans.has('hub-api') || (!read.negated.has('hub-api') && HUB_API_BY_DEFAULT);
  if (repo.registry === DOCKER_HUB && hubApi && hubNamespace(repo.repository)) return new URL(HUB_API).host;
  return apiHost(repo.registry);
}

interface ReadArgv {
  /** The arguments oclif will take as arguments (compare's images, tags' repository), in order. */
  args: string[];
  /** The value of each option flag given, by flag name (the last one when repeated). */
  options: Map<string, string>;
  /** The boolean flags given, by name. */
  booleans: Set<string>;
  /** The boolean flags given as --no-NAME (those that allow it), by name. */
  negated: Set<string>;
}

/** Whether the cache answers every image (all of them registry references): no request goes. */
function cacheAnswers(read: ReadArgv, flags: Record<string, ManifestFlag>, env: NodeJS.ProcessEnv): boolean {
  const refs: Reference[] = [];
  for (const image of read.args) {
    try {
      const input = parseImageInput(image);
      if (isLocalInput(input)) return false;
      refs.push(input);
    } catch {
      return false;
    }
  }
  const ttlDefault = flags['tag-ttl']?.default;
  const tagTtl = read.options.get('tag-ttl') ?? (typeof ttlDefault === 'string' ? ttlDefault : undefined);
  if (tagTtl === undefined) return false;
  return cacheAnswersAll(refs, { cacheDir: read.options.get('cache-dir'), tagTtl, noCache: read.booleans.has('no-cache') }, env);
}

/**
 * The arguments as oclif will read them, or undefined when unsure. Read to the end: a
 * --plain-http or --help after the images counts as much as one before them.
 */
function readArgv(argv: string[], flags: Record<string, ManifestFlag>): ReadArgv | undefined {
  const byName = new Map<string, ManifestFlag & { name: string }>();
  for (const [name, f] of Object.entries(flags)) {
    for (const n of [`--${name}`, ...(f.aliases ?? []).map((a) => `--${a}`), ...(f.char ? [`-${f.char}`] : [])]) byName.set(n, { ...f, name });
  }
  const read: ReadArgv = { args: [], options: new Map(), booleans: new Set(), negated: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      read.args.push(...argv.slice(i + 1));
      return read;
    }
    if (!a.startsWith('-') || a === '-') {
      read.args.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const negated = a.startsWith('--no-') && eq === -1 ? byName.get(`--${a.slice('--no-'.length)}`) : undefined;
    if (negated?.type === 'boolean' && negated.allowNo) {
      // The last spelling wins, as in oclif.
      read.booleans.delete(negated.name);
      read.negated.add(negated.name);
      continue;
    }
    const flag = byName.get(eq === -1 ? a : a.slice(0, eq));
    // Unknown (oclif will refuse it), --help, or plain HTTP (no TLS to open): no early connection.
    if (!flag || flag.name === 'plain-http') return undefined;
    if (flag.type === 'boolean') {
      read.negated.delete(flag.name);
      read.booleans.add(flag.name);
    }
    else if (eq !== -1) read.options.set(flag.name, a.slice(eq + 1));
    else {
      const value = argv[++i];
      if (value === undefined) return undefined;
      read.options.set(flag.name, value);
    }
  }
  return read;
}
