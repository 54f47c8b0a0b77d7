/**
 * Hints: what in the final filesystem (or in the wasted bytes) has a known fix, from ONE
 * table. A rule names folders or files by glob (picomatch, matched against absolute paths,
 * dot files included); everything at or under a matching path counts. A rule may also name
 * packages by glob (`packages`, matched against dpkg and apk package names): when the image
 * has a dpkg or apk database, the rule is answered from it (the packages by name, with their
 * installed bytes and the layer that installed them) instead of by path, since a package's
 * files lie in many folders (`libssl-dev` in /usr/include, /usr/lib/x86_64-linux-gnu, /usr/share/doc).
 * To add a rule, add a row: an id, the globs, and the advice.
 */
import picomatch from 'picomatch';
import type { FsTree, WastedFile } from './filesystem.js';
import type { PackageRow } from './package-view.js';

export interface HintRule {
  id: string;
  /** Globs for the folder (or file) to flag; what lies under it counts too. */
  paths: string[];
  /** Globs for dpkg/apk package names; used instead of `paths` when the image has a package database. */
  packages?: string[];
  advice: string;
}

/** The package managers whose databases list every package of the system (the ones `packages` globs match). */
const SYSTEM_MANAGERS: ReadonlySet<PackageRow['manager']> = new Set(['dpkg', 'apk']);

export const HINT_RULES: readonly HintRule[] = [
  { id: 'pip-cache', paths: ['/root/.cache/pip', '/home/*/.cache/pip'], advice: 'pip install --no-cache-dir (or set PIP_NO_CACHE_DIR=1)' },
  { id: 'apt-lists', paths: ['/var/lib/apt/lists'], advice: 'end the same RUN with: && rm -rf /var/lib/apt/lists/*' },
  { id: 'apt-archives', paths: ['/var/cache/apt/archives/*.deb', '/var/cache/apt/*.bin'], advice: 'apt-get clean in the same RUN as apt-get install (or use a cache mount: RUN --mount=type=cache,target=/var/cache/apt)' },
  { id: 'apk-cache', paths: ['/var/cache/apk', '/etc/apk/cache'], advice: 'apk add --no-cache' },
  { id: 'npm-cache', paths: ['/root/.npm', '/home/*/.npm'], advice: 'npm ci && npm cache clean --force in the same RUN (or RUN --mount=type=cache,target=/root/.npm)' },
  { id: 'yarn-cache', paths: ['/usr/local/share/.cache/yarn', '/root/.cache/yarn', '/home/*/.cache/yarn', '/root/.yarn/berry/cache'], advice: 'yarn install && yarn cache clean in the same RUN (or a cache mount)' },
  { id: 'go-build-cache', paths: ['/root/.cache/go-build', '/root/go/pkg/mod', '/go/pkg/mod'], advice: 'build in a builder stage and COPY only the binary (multi-stage build), or use cache mounts' },
  { id: 'maven-cache', paths: ['/root/.m2/repository', '/home/*/.m2/repository', '/root/.gradle/caches'], advice: 'build in a builder stage and COPY only the jar (multi-stage build)' },
  {
    id: 'compilers',
    paths: ['/usr/include', '/usr/local/include', '/usr/lib/gcc', '/usr/libexec/gcc', '/usr/bin/gcc*', '/usr/bin/g++*', '/usr/bin/cc1*', '/usr/bin/*-linux-gnu-gcc*', '/usr/bin/*-linux-gnu-g++*', '/usr/share/doc/*-dev'],
    // Debian's and Alpine's names for compilers, headers and build tools.
    packages: ['*-dev', 'gcc', 'gcc-[0-9]*', 'g++', 'g++-[0-9]*', 'cpp', 'cpp-[0-9]*', 'libgcc-*-dev', 'build-essential', 'build-base', 'linux-headers*', 'binutils', 'binutils-*', 'make', 'clang', 'clang-[0-9]*', 'llvm', 'llvm-[0-9]*'],
    advice: 'compilers and headers are only needed to build: build in one stage, COPY the result into a slim final stage (multi-stage build)',
  },
  { id: 'pycache', paths: ['**/__pycache__'], advice: 'PYTHONDONTWRITEBYTECODE=1, or remove __pycache__ in the same RUN' },
  { id: 'git', paths: ['**/.git'], advice: 'add .git to .dockerignore (COPY . brings it in)' },
  { id: 'docs', paths: ['/usr/share/doc', '/usr/share/man', '/usr/share/info', '/usr/local/share/man'], advice: 'apt: --no-install-recommends and a dpkg path-exclude for docs; apk: skip *-doc packages' },
];

/** The rule for files a later layer deletes: not a path, so not in the table. */
export const DELETED_LATER_RULE = 'deleted-later';

export interface Hint {
  rule: string;
  bytes: number;
  layer: number;
  /** The matched folders or files, largest first (empty for a rule answered from packages). */
  paths: string[];
  /** For a rule answered from the package database: the packages, largest first. */
  packages?: string[];
  advice: string;
}

const MAX_PATHS = 10;

interface Acc {
  rule: HintRule | string;
  advice: string;
  layer: number;
  bytes: number;
  byPath: Map<string, number>;
  /** Set for a rule answered from packages: byPath then holds package names. */
  byPackage?: true;
}

function finish(accs: Iterable<Acc>): Hint[] {
  return [...accs]
    .filter((a) => a.bytes > 0)
    .map((a) => {
      const names = [...a.byPath.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, MAX_PATHS).map(([p]) => p);
      return {
        rule: typeof a.rule === 'string' ? a.rule : a.rule.id,
        bytes: a.bytes,
        layer: a.layer,
        paths: a.byPackage ? [] : names,
        ...(a.byPackage ? { packages: names } : {}),
        advice: a.advice,
      };
    });
}

/** The rules answered from the package database: per rule and installing layer, the matching packages. */
function packageHints(rules: readonly HintRule[], packages: readonly PackageRow[]): { answered: Set<HintRule>; accs: Acc[] } {
  const system = packages.filter((p) => SYSTEM_MANAGERS.has(p.manager));
  const answered = new Set<HintRule>();
  const accs = new Map<string, Acc>();
  if (system.length === 0) return { answered, accs: [] };
  for (const rule of rules) {
    if (!rule.packages?.length) continue;
    answered.add(rule);
    const test = picomatch(rule.packages);
    for (const p of system) {
      if (!test(p.name)) continue;
      const key = `${rule.id}\0${p.layer}`;
      let a = accs.get(key);
      if (!a) accs.set(key, (a = { rule, advice: rule.advice, layer: p.layer, bytes: 0, byPath: new Map(), byPackage: true }));
      a.bytes += p.size ?? 0;
      a.byPath.set(p.name, (a.byPath.get(p.name) ?? 0) + (p.size ?? 0));
    }
  }
  return { answered, accs: [...accs.values()] };
}

/**
 * The hints for a final filesystem and its wasted files, largest first; one hint per rule and
 * layer (the step to change). `stepOf` names a layer's step for the deleted-later advice.
 * `packages` (the installed packages, src/files/package-view.ts) answers the rules that name
 * packages, when it holds dpkg or apk packages; otherwise those rules match by path.
 */
export function findHints(tree: FsTree, wasted: WastedFile[], stepOf: (layer: number) => string, rules: readonly HintRule[] = HINT_RULES, packages: readonly PackageRow[] = []): Hint[] {
  const fromPackages = packageHints(rules, packages);
  const matchers = rules.filter((r) => !fromPackages.answered.has(r)).map((r) => ({ rule: r, test: picomatch(r.paths, { dot: true }) }));
  const accs = new Map<string, Acc>();
  // Walk parents before children: the first (highest) matching path of a rule is the one named.
  const matchedAt = new Map<number, { rule: HintRule; at: string }[]>();
  const none: { rule: HintRule; at: string }[] = [];
  for (const [path, id] of tree.all()) {
    const inherited = matchedAt.get(tree.paths.parentOf(id)) ?? none;
    // Copied only when this path adds a match: most of 100,000 paths add none.
    let mine = inherited;
    for (const m of matchers) {
      if (path === '/' || inherited.some((i) => i.rule === m.rule) || !m.test(path)) continue;
      if (mine === inherited) mine = [...inherited];
      mine.push({ rule: m.rule, at: path });
    }
    if (tree.isDir(id)) {
      if (mine.length) matchedAt.set(id, mine);
      continue;
    }
    const layer = tree.layerOf(id);
    const size = tree.sizeOf(id);
    for (const { rule, at } of mine) {
      const key = `${rule.id}\0${layer}`;
      let a = accs.get(key);
      if (!a) accs.set(key, (a = { rule, advice: rule.advice, layer, bytes: 0, byPath: new Map() }));
      a.bytes += size;
      a.byPath.set(at, (a.byPath.get(at) ?? 0) + size);
    }
  }
  const deleted = new Map<string, Acc>();
  for (const w of wasted) {
    if (w.reason !== 'deleted') continue;
    const key = `${w.layer}\0${w.removedBy}`;
    let a = deleted.get(key);
    if (!a) {
      const advice = `delete these in the same RUN that creates them (${stepOf(w.layer)}), not in a later one (${stepOf(w.removedBy)}): a later delete hides them but every pull still downloads them`;
      deleted.set(key, (a = { rule: DELETED_LATER_RULE, advice, layer: w.layer, bytes: 0, byPath: new Map() }));
    }
    a.bytes += w.size;
    a.byPath.set(w.path, w.size);
  }
  return [...finish(accs.values()), ...finish(fromPackages.accs), ...finish(deleted.values())].sort((x, y) => y.bytes - x.bytes || (x.rule < y.rule ? -1 : 1));
}
