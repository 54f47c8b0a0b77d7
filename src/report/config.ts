/**
 * The `regsize report` config file: YAML, checked completely before any network call. Every
 * message names the file, the line and the key that is wrong ("regsize.yaml:7: images[1].maxSize:
 * invalid size ..."), so a scheduled job that fails on a typo says where to look. Values are
 * parsed with the same functions as the command-line flags (sizes, platforms, bandwidths,
 * references), so the config and the flags accept the same spellings.
 *
 * The config holds no credentials, on purpose: it is meant to be committed. Registry logins come
 * from the Docker config and credential helpers, ECR from the AWS credential chain; a key that
 * looks like a secret is refused with a message saying so.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { ACCOUNT_ID_RE, isEcrRepositoryName, REGION_RE } from '../ecr/hosts.js';
import { isRegsizeError, UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { parseReference, parseRepository, type Reference } from '../reference/reference.js';
import { type Bandwidth, parseBandwidthList, parseSize } from '../units.js';
import { type GrowthLimit, parseGrowthLimit } from '../sizing/growth-gate.js';
import { editDistance } from '../util/edit-distance.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import { type ImageInput, parseImageInput } from '../source/parse.js';
import { checkConfigBounds, checkConfigSize, MAX_CONFIG_BYTES } from './config-bounds.js';

/** One entry of `images:`. */
export interface ImageTarget {
  /** A registry reference or a local image (oci:, oci-archive:, docker-archive:; paths from the working directory). */
  ref: ImageInput;
  maxSize?: number;
  /** Fail (exit 3) when the image grew by more than this since the previous recorded run. */
  maxGrowth?: GrowthLimit;
  /** maxGrowth is counted from this image (sized in the same run) instead of the previous run. */
  baseline?: Reference;
  /** Line in the config file, for messages about this entry. */
  line: number;
}

/** One entry of `tags:`: the tags of a repository, optionally filtered. */
export interface TagsTarget {
  /** As written ("python", "ghcr.io/org/app"). */
  repository: string;
  /** Globs on tag names ("3.12-*"); a tag is kept when it matches any. */
  filter?: string[];
  /** Regular expression on tag names. */
  regex?: string;
  /** At most this many tags (after filtering). */
  limit?: number;
  /** Keep signature and attestation tags (sha256-<hex>.sig ...). */
  allTags?: boolean;
  maxSize?: number;
  maxGrowth?: GrowthLimit;
  line: number;
}

/** One entry of `ecr:`: repositories of an ECR registry, audited for stored bytes. */
export interface EcrTarget {
  region: string;
  /** Repository names, or every repository of the registry. */
  repositories: string[] | 'all';
  /** The 12-digit account of the registry; the caller's own by default. */
  registryId?: string;
  /** A named AWS profile (shared config / SSO); the standard credential chain by default. */
  profile?: string;
  /** An image not pulled for this many days is stale. @default 90 */
  staleDays?: number;
  /** Storage price in dollars per GB-month. @default 0.10 */
  pricePerGbMonth?: number;
  line: number;
}

export interface ReportConfig {
  /** The file as given, for messages and the report header. */
  file: string;
  title?: string;
  platform?: PlatformRequest;
  bandwidths?: Bandwidth[];
  defaults: { maxSize?: number; maxGrowth?: GrowthLimit };
  images: ImageTarget[];
  tags: TagsTarget[];
  ecr: EcrTarget[];
}

const TOP_KEYS = ['title', 'platform', 'bandwidth', 'defaults', 'images', 'tags', 'ecr'];
const DEFAULTS_KEYS = ['maxSize', 'maxGrowth'];
const IMAGE_KEYS = ['ref', 'maxSize', 'maxGrowth', 'baseline'];
const TAGS_KEYS = ['repository', 'filter', 'regex', 'limit', 'allTags', 'maxSize', 'maxGrowth'];
const ECR_KEYS = ['region', 'repositories', 'all', 'registryId', 'profile', 'staleDays', 'pricePerGbMonth'];
const SECRET_KEY = /pass(word)?|secret|token|credential|auth|username|access.?key/i;

/** Reads and validates a config file; exit 2 (CONFIG_INVALID) on any problem. */
export function loadConfig(file: string): ReportConfig {
  let text: string;
  try {
    text = readBounded(file);
  } catch (e) {
    if (isRegsizeError(e)) throw e;
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String((e as Error).message);
    throw new UsageError('CONFIG_INVALID', `cannot read config ${file}: ${why} (pass --config FILE; see examples/regsize.yaml)`);
  }
  return parseConfig(text, file);
}

/** The file's text, refused before reading when its size is over the bound, and read no further than the bound (a FIFO, /dev/zero). */
function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile()) checkConfigSize(file, st.size);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0; ) length += n;
    checkConfigSize(file, length, false);
    return buf.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): ReportConfig {
  checkConfigBounds(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const ctx = new Ctx(file, lines, doc);
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const message = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError('CONFIG_INVALID', `${file}:${pos ? `${pos.line}:${pos.col}` : '1'}: not valid YAML: ${message}`);
  }
  const root = ctx.resolve(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    throw ctx.error(root, '', 'the config is empty: list the images to report under `images:` (see examples/regsize.yaml)');
  }
  if (!isMap(root)) throw ctx.error(root, '', 'the config must be a mapping of keys (title, platform, bandwidth, defaults, images, tags, ecr)');
  const top = ctx.entries(root, '', TOP_KEYS);

  const config: ReportConfig = { file, defaults: {}, images: [], tags: [], ecr: [] };
  const title = top.get('title');
  if (title) config.title = ctx.string(title, 'title');
  const platform = top.get('platform');
  if (platform) {
    const p = ctx.string(platform, 'platform');
    config.platform = p === 'all' ? 'all' : ctx.parse(platform, 'platform', () => parsePlatform(p));
  }
  const bandwidth = top.get('bandwidth');
  if (bandwidth) {
    const list = isSeq(bandwidth) ? ctx.list(bandwidth, 'bandwidth').map(({ node, path }) => ctx.string(node, path)).join(',') : ctx.string(bandwidth, 'bandwidth');
    config.bandwidths = ctx.parse(bandwidth, 'bandwidth', () => parseBandwidthList(list));
  }
  const defaults = top.get('defaults');
  if (defaults && !ctx.isNull(defaults)) {
    const d = ctx.entries(ctx.map(defaults, 'defaults'), 'defaults', DEFAULTS_KEYS);
    const max = d.get('maxSize');
    if (max) config.defaults.maxSize = ctx.size(max, 'defaults.maxSize');
    const growth = d.get('maxGrowth');
    if (growth) config.defaults.maxGrowth = ctx.growth(growth, 'defaults.maxGrowth');
  }

  const images = top.get('images');
  if (images && !ctx.isNull(images)) {
    config.images = ctx.list(images, 'images').map(({ node, path }) => {
      if (isScalar(node)) {
        const text = ctx.string(node, path);
        return { ref: ctx.parse(node, path, () => parseImageInput(text)), line: ctx.line(node) };
      }
      const m = ctx.entries(ctx.map(node, path, 'an image reference, or a mapping with ref and maxSize'), path, IMAGE_KEYS);
      const refNode = ctx.required(m, 'ref', node, path, 'the image reference, e.g. ref: python:3.12-slim');
      const text = ctx.string(refNode, `${path}.ref`);
      const t: ImageTarget = { ref: ctx.parse(refNode, `${path}.ref`, () => parseImageInput(text)), line: ctx.line(node) };
      const max = m.get('maxSize');
      if (max) t.maxSize = ctx.size(max, `${path}.maxSize`);
      const growth = m.get('maxGrowth');
      if (growth) t.maxGrowth = ctx.growth(growth, `${path}.maxGrowth`);
      const baseline = m.get('baseline');
      if (baseline) {
        if (!growth) throw ctx.error(baseline, `${path}.baseline`, 'a baseline is what maxGrowth is counted from: give maxGrowth too (e.g. maxGrowth: 10%)');
        const b = ctx.string(baseline, `${path}.baseline`);
        t.baseline = ctx.parse(baseline, `${path}.baseline`, () => parseReference(b));
      }
      return t;
    });
  }

  const tags = top.get('tags');
  if (tags && !ctx.isNull(tags)) {
    config.tags = ctx.list(tags, 'tags').map(({ node, path }) => {
      const m = ctx.entries(ctx.map(node, path, 'a mapping with repository and filter'), path, TAGS_KEYS);
      const repoNode = ctx.required(m, 'repository', node, path, 'the repository whose tags to size, e.g. repository: python');
      const repository = ctx.string(repoNode, `${path}.repository`);
      ctx.parse(repoNode, `${path}.repository`, () => parseRepository(repository));
      const t: TagsTarget = { repository, line: ctx.line(node) };
      const filter = m.get('filter');
      if (filter) t.filter = isSeq(filter) ? ctx.list(filter, `${path}.filter`).map(({ node: f, path: fp }) => ctx.string(f, fp)) : [ctx.string(filter, `${path}.filter`)];
      const regex = m.get('regex');
      if (regex) {
        const re = ctx.string(regex, `${path}.regex`);
        try {
          new RegExp(re);
        } catch (e) {
          throw ctx.error(regex, `${path}.regex`, `invalid regular expression: ${(e as Error).message}`);
        }
        t.regex = re;
      }
      const limit = m.get('limit');
      if (limit) t.limit = ctx.positiveInteger(limit, `${path}.limit`);
      const allTags = m.get('allTags');
      if (allTags) t.allTags = ctx.boolean(allTags, `${path}.allTags`);
      const max = m.get('maxSize');
      if (max) t.maxSize = ctx.size(max, `${path}.maxSize`);
      const growth = m.get('maxGrowth');
      if (growth) t.maxGrowth = ctx.growth(growth, `${path}.maxGrowth`);
      return t;
    });
  }

  const ecr = top.get('ecr');
  if (ecr && !ctx.isNull(ecr)) {
    config.ecr = ctx.list(ecr, 'ecr').map(({ node, path }) => {
      const m = ctx.entries(ctx.map(node, path, 'a mapping with region and repositories'), path, ECR_KEYS);
      const regionNode = ctx.required(m, 'region', node, path, 'the AWS region, e.g. region: eu-west-1');
      const region = ctx.string(regionNode, `${path}.region`);
      if (!REGION_RE.test(region)) throw ctx.error(regionNode, `${path}.region`, `"${region}" is not an AWS region (e.g. eu-west-1, us-east-1)`);
      const repos = m.get('repositories');
      const all = m.get('all');
      if (all && ctx.boolean(all, `${path}.all`) && repos) throw ctx.error(all, `${path}.all`, 'give either repositories or all: true, not both');
      let repositories: string[] | 'all';
      if (all && ctx.boolean(all, `${path}.all`)) repositories = 'all';
      else if (repos) {
        repositories = ctx.list(repos, `${path}.repositories`).map(({ node: r, path: rp }) => {
          const name = ctx.string(r, rp);
          if (!isEcrRepositoryName(name)) {
            throw ctx.error(r, rp, `"${name}" is not an ECR repository name (lowercase letters, digits, ".", "_", "-" and "/", 2 to 256 characters)`);
          }
          return name;
        });
        if (repositories.length === 0) throw ctx.error(repos, `${path}.repositories`, 'the list is empty: name at least one repository, or use all: true');
      } else throw ctx.error(node, path, 'missing key repositories: list the repositories to audit (repositories: [app, worker]) or use all: true');
      const t: EcrTarget = { region, repositories, line: ctx.line(node) };
      const id = m.get('registryId');
      if (id) {
        const v = ctx.scalarText(id, `${path}.registryId`);
        if (!ACCOUNT_ID_RE.test(v)) throw ctx.error(id, `${path}.registryId`, `"${v}" is not an AWS account id (12 digits; quote it in YAML to keep leading zeros)`);
        t.registryId = v;
      }
      const profile = m.get('profile');
      if (profile) t.profile = ctx.string(profile, `${path}.profile`);
      const stale = m.get('staleDays');
      if (stale) t.staleDays = ctx.positiveInteger(stale, `${path}.staleDays`);
      const price = m.get('pricePerGbMonth');
      if (price) {
        if (!isScalar(price) || typeof price.value !== 'number' || !(price.value >= 0)) throw ctx.error(price, `${path}.pricePerGbMonth`, 'expected dollars per GB-month, e.g. 0.10');
        t.pricePerGbMonth = price.value;
      }
      return t;
    });
  }

  if (config.images.length + config.tags.length + config.ecr.length === 0) {
    const at = images ?? root;
    throw ctx.error(at, images ? 'images' : '', 'no images to report: list at least one under `images:` (e.g. "- python:3.12-slim"), or use `tags:` or `ecr:`');
  }
  return config;
}

/** Locations and typed reads over the parsed document; every failure is a located UsageError. */
class Ctx {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  error(node: Node | null | undefined, key: string, message: string): UsageError {
    return new UsageError('CONFIG_INVALID', `${this.file}:${this.line(node)}: ${key ? `${key}: ` : ''}${message}`);
  }

  resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  isNull(node: Node): boolean {
    return isScalar(node) && node.value === null;
  }

  /** Runs a flag parser, re-throwing its message with the location. */
  parse<T>(node: Node, key: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isRegsizeError(e)) throw this.error(node, key, e.message);
      throw e;
    }
  }

  /** A mapping's entries by key, refusing keys not in `allowed` and keys that hold secrets. */
  entries(map: YAMLMap, path: string, allowed: string[]): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key);
      const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : undefined;
      const where = (k: string) => (path ? `${path}.${k}` : k);
      if (key === undefined) throw this.error(keyNode, path, 'keys must be plain names');
      if (!allowed.includes(key)) {
        if (SECRET_KEY.test(key)) {
          throw this.error(keyNode, where(key), 'credentials do not belong in the config (it is meant to be committed): use docker login or a credential helper, and the AWS credential chain for ECR');
        }
        const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase() || editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
        throw this.error(keyNode, where(key), close ? `unknown key (did you mean "${close}"?)` : `unknown key; expected ${allowed.join(', ')}`);
      }
      const value = this.resolve(pair.value);
      out.set(key, value ?? (keyNode as Node));
    }
    return out;
  }

  map(node: Node, path: string, what = 'a mapping'): YAMLMap {
    if (!isMap(node)) throw this.error(node, path, `expected ${what}`);
    return node;
  }

  list(node: Node, path: string): { node: Node; path: string }[] {
    if (!isSeq(node)) throw this.error(node, path, 'expected a list (lines starting with "- ")');
    return node.items.map((n, i) => {
      const item = this.resolve(n);
      if (item === null || this.isNull(item)) throw this.error(item ?? node, `${path}[${i}]`, 'empty list entry');
      return { node: item, path: `${path}[${i}]` };
    });
  }

  required(m: Map<string, Node>, key: string, owner: Node, path: string, hint: string): Node {
    const v = m.get(key);
    if (!v || this.isNull(v)) throw this.error(v ?? owner, `${path}.${key}`, `missing: ${hint}`);
    return v;
  }

  scalarText(node: Node, key: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') throw this.error(node, key, 'expected a single value');
    return String(node.value);
  }

  string(node: Node, key: string): string {
    if (!isScalar(node) || typeof node.value !== 'string') {
      throw this.error(node, key, isScalar(node) && node.value !== null ? `expected text, got ${JSON.stringify(node.value)} (quote it)` : 'expected text');
    }
    if (node.value.trim() === '') throw this.error(node, key, 'is empty');
    return node.value;
  }

  boolean(node: Node, key: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') throw this.error(node, key, 'expected true or false');
    return node.value;
  }

  positiveInteger(node: Node, key: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < 1) throw this.error(node, key, 'expected a whole number of 1 or more');
    return node.value;
  }

  /** "10%" or "20MB", as --max-increase. */
  growth(node: Node, key: string): GrowthLimit {
    const text = this.scalarText(node, key);
    return this.parse(node, key, () => parseGrowthLimit(text, 'maxGrowth'));
  }

  /** "300MB", "1.5GiB", or a plain number of bytes. */
  size(node: Node, key: string): number {
    if (isScalar(node) && typeof node.value === 'number') {
      if (!Number.isInteger(node.value) || node.value <= 0) throw this.error(node, key, `invalid size ${node.value}: use a number with a unit, e.g. 300MB`);
      return node.value;
    }
    const text = this.scalarText(node, key);
    const bytes = this.parse(node, key, () => parseSize(text));
    if (bytes <= 0) throw this.error(node, key, `invalid size "${text}": a budget must be more than 0 bytes`);
    return bytes;
  }
}
