/**
 * The sections of a report config, one function each: the top-level settings, `defaults:`,
 * `images:`, `tags:` and `ecr:`. Each takes the section's YAML node and returns its part of the
 * model (./config-model.ts), or throws a located UsageError (./config-yaml.ts).
 */
import { isScalar, isSeq, type Node } from 'yaml';
import { ACCOUNT_ID_RE, isEcrRepositoryName, REGION_RE } from '../ecr/hosts.js';
import { parsePlatform } from '../oci/platform.js';
import { parseReference, parseRepository } from '../reference/reference.js';
import { parseImageInput } from '../source/parse.js';
import { parseBandwidthList } from '../units.js';
import type { EcrTarget, ImageTarget, ReportConfig, TagsTarget } from './config-model.js';
import type { Ctx } from './config-yaml.js';

export const TOP_KEYS = ['title', 'platform', 'bandwidth', 'defaults', 'images', 'tags', 'ecr'];
const DEFAULTS_KEYS = ['maxSize', 'maxGrowth'];
const IMAGE_KEYS = ['ref', 'maxSize', 'maxGrowth', 'baseline'];
const TAGS_KEYS = ['repository', 'filter', 'regex', 'limit', 'allTags', 'maxSize', 'maxGrowth'];
const ECR_KEYS = ['region', 'repositories', 'all', 'registryId', 'profile', 'staleDays', 'pricePerGbMonth'];

type Settings = Pick<ReportConfig, 'title' | 'platform' | 'bandwidths' | 'defaults'>;

/** title, platform, bandwidth and defaults: what applies to every entry. */
export function parseSettings(ctx: Ctx, top: Map<string, Node>): Settings {
  const out: Settings = { defaults: {} };
  const title = top.get('title');
  if (title) out.title = ctx.string(title, 'title');
  const platform = top.get('platform');
  if (platform) {
    const p = ctx.string(platform, 'platform');
    out.platform = p === 'all' ? 'all' : ctx.parse(platform, 'platform', () => parsePlatform(p));
  }
  const bandwidth = top.get('bandwidth');
  if (bandwidth) {
    const list = isSeq(bandwidth) ? ctx.list(bandwidth, 'bandwidth').map(({ node, path }) => ctx.string(node, path)).join(',') : ctx.string(bandwidth, 'bandwidth');
    out.bandwidths = ctx.parse(bandwidth, 'bandwidth', () => parseBandwidthList(list));
  }
  const defaults = top.get('defaults');
  if (defaults && !ctx.isNull(defaults)) {
    const d = ctx.entries(ctx.map(defaults, 'defaults'), 'defaults', DEFAULTS_KEYS);
    const max = d.get('maxSize');
    if (max) out.defaults.maxSize = ctx.size(max, 'defaults.maxSize');
    const growth = d.get('maxGrowth');
    if (growth) out.defaults.maxGrowth = ctx.growth(growth, 'defaults.maxGrowth');
  }
  return out;
}

/** The entries of a list section; none when the key is missing or null. */
export function section<T>(ctx: Ctx, node: Node | undefined, key: string, entry: (ctx: Ctx, node: Node, path: string) => T): T[] {
  if (!node || ctx.isNull(node)) return [];
  return ctx.list(node, key).map(({ node: n, path }) => entry(ctx, n, path));
}

/** One entry of `images:`: a reference, or a mapping with ref and its budgets. */
export function parseImage(ctx: Ctx, node: Node, path: string): ImageTarget {
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
}

/** One entry of `tags:`: a repository, how its tags are chosen, and their budgets. */
export function parseTags(ctx: Ctx, node: Node, path: string): TagsTarget {
  const m = ctx.entries(ctx.map(node, path, 'a mapping with repository and filter'), path, TAGS_KEYS);
  const repoNode = ctx.required(m, 'repository', node, path, 'the repository whose tags to size, e.g. repository: python');
  const repository = ctx.string(repoNode, `${path}.repository`);
  ctx.parse(repoNode, `${path}.repository`, () => parseRepository(repository));
  const t: TagsTarget = { repository, line: ctx.line(node) };
  const filter = m.get('filter');
  if (filter) t.filter = isSeq(filter) ? ctx.list(filter, `${path}.filter`).map(({ node: f, path: fp }) => ctx.string(f, fp)) : [ctx.string(filter, `${path}.filter`)];
  const regex = m.get('regex');
  if (regex) t.regex = checkedRegex(ctx, regex, `${path}.regex`);
  const limit = m.get('limit');
  if (limit) t.limit = ctx.positiveInteger(limit, `${path}.limit`);
  const allTags = m.get('allTags');
  if (allTags) t.allTags = ctx.boolean(allTags, `${path}.allTags`);
  const max = m.get('maxSize');
  if (max) t.maxSize = ctx.size(max, `${path}.maxSize`);
  const growth = m.get('maxGrowth');
  if (growth) t.maxGrowth = ctx.growth(growth, `${path}.maxGrowth`);
  return t;
}

function checkedRegex(ctx: Ctx, node: Node, path: string): string {
  const re = ctx.string(node, path);
  try {
    new RegExp(re);
  } catch (e) {
    throw ctx.error(node, path, `invalid regular expression: ${(e as Error).message}`);
  }
  return re;
}

/** One entry of `ecr:`: a region, its repositories (or all), and how they are audited. */
export function parseEcr(ctx: Ctx, node: Node, path: string): EcrTarget {
  const m = ctx.entries(ctx.map(node, path, 'a mapping with region and repositories'), path, ECR_KEYS);
  const regionNode = ctx.required(m, 'region', node, path, 'the AWS region, e.g. region: eu-west-1');
  const region = ctx.string(regionNode, `${path}.region`);
  if (!REGION_RE.test(region)) throw ctx.error(regionNode, `${path}.region`, `"${region}" is not an AWS region (e.g. eu-west-1, us-east-1)`);
  const t: EcrTarget = { region, repositories: ecrRepositories(ctx, m, node, path), line: ctx.line(node) };
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
}

/** `repositories: [...]` or `all: true`, exactly one of them. */
function ecrRepositories(ctx: Ctx, m: Map<string, Node>, node: Node, path: string): string[] | 'all' {
  const repos = m.get('repositories');
  const all = m.get('all');
  const wantsAll = all !== undefined && ctx.boolean(all, `${path}.all`);
  if (wantsAll && repos) throw ctx.error(all, `${path}.all`, 'give either repositories or all: true, not both');
  if (wantsAll) return 'all';
  if (!repos) throw ctx.error(node, path, 'missing key repositories: list the repositories to audit (repositories: [app, worker]) or use all: true');
  const names = ctx.list(repos, `${path}.repositories`).map(({ node: r, path: rp }) => {
    const name = ctx.string(r, rp);
    if (!isEcrRepositoryName(name)) throw ctx.error(r, rp, `"${name}" is not an ECR repository name (lowercase letters, digits, ".", "_", "-" and "/", 2 to 256 characters)`);
    return name;
  });
  if (names.length === 0) throw ctx.error(repos, `${path}.repositories`, 'the list is empty: name at least one repository, or use all: true');
  return names;
}
