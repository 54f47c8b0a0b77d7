/**
 * The registry a compare run will connect to first, read from its arguments before oclif is
 * loaded, so bin/run.js can open that connection early (transport/preconnect.ts, issue #16).
 *
 * No second parser: the routing is routeArgs's, and which flags take a value comes from the
 * committed oclif.manifest.json, which oclif writes from the very flag objects it parses with
 * (test/cli/early-target.test.ts holds the two to agreeing on every compare flag). Anything it
 * is not sure of (a flag it does not know, --help, plain HTTP, a proxy, a local source) means
 * no early connection: the run then connects as it always did. Nor is there one when the cache
 * will answer every image (early-cache.ts): a warm compare sends no request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiHost, type Reference } from '../reference/reference.js';
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
}

export interface EarlyTarget {
  hostname: string;
  port: number;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** The https origin of the first image `args` would compare, or undefined. */
export function earlyTarget(args: string[], root: string, env: NodeJS.ProcessEnv = process.env): EarlyTarget | undefined {
  // Through a proxy the first connection is the proxy's (undici's EnvHttpProxyAgent decides which).
  if (PROXY_VARIABLES.some((v) => env[v])) return undefined;
  let routed: string[];
  let flags: Record<string, ManifestFlag>;
  try {
    routed = routeArgs(args, commandIds(root));
    flags = (JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, ManifestFlag> }> }).commands.compare?.flags ?? {};
  } catch {
    return undefined;
  }
  if (routed[0] !== 'compare') return undefined;
  const read = readArgv(routed.slice(1), flags);
  const image = read?.images[0];
  if (!read || image === undefined) return undefined;
  let registry: string;
  try {
    const input = parseImageInput(image);
    if (isLocalInput(input)) return undefined;
    registry = apiHost(input.registry);
  } catch {
    return undefined;
  }
  // host or host:port; an IPv6 literal ([::1]) is left to undici.
  const m = /^([^:[\]]+)(?::(\d+))?$/.exec(registry);
  if (!m?.[1]) return undefined;
  if (cacheAnswers(read, flags, env)) return undefined;
  return { hostname: m[1], port: m[2] === undefined ? 443 : Number(m[2]) };
}

interface ReadArgv {
  /** The arguments oclif will take as images, in order. */
  images: string[];
  /** The value of each option flag given, by flag name (the last one when repeated). */
  options: Map<string, string>;
  /** The boolean flags given, by name. */
  booleans: Set<string>;
}

/** Whether the cache answers every image (all of them registry references): no request goes. */
function cacheAnswers(read: ReadArgv, flags: Record<string, ManifestFlag>, env: NodeJS.ProcessEnv): boolean {
  const refs: Reference[] = [];
  for (const image of read.images) {
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
  const read: ReadArgv = { images: [], options: new Map(), booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      read.images.push(...argv.slice(i + 1));
      return read;
    }
    if (!a.startsWith('-') || a === '-') {
      read.images.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const flag = byName.get(eq === -1 ? a : a.slice(0, eq));
    // Unknown (oclif will refuse it), --help, or plain HTTP (no TLS to open): no early connection.
    if (!flag || flag.name === 'plain-http') return undefined;
    if (flag.type === 'boolean') read.booleans.add(flag.name);
    else if (eq !== -1) read.options.set(flag.name, a.slice(eq + 1));
    else {
      const value = argv[++i];
      if (value === undefined) return undefined;
      read.options.set(flag.name, value);
    }
  }
  return read;
}
