/**
 * The final filesystem of an image, from its layers' listings applied in order, as a
 * container runtime stacks them (https://github.com/opencontainers/image-spec/blob/main/layer.md):
 * within a layer, whiteouts apply to the layers below it only, so a layer's removals are
 * applied before its own entries are added.
 *
 * On the way it records what still travels in a lower layer but is gone from the final
 * filesystem (the wasted bytes): files a later layer deletes (a whiteout, or an opaque
 * folder) or overwrites (the same path written again), each with the layer that wrote it and
 * the one that removed it.
 *
 * Efficiency is dive's (github.com/wagoodman/dive, dive/filetree/efficiency.go): every time a
 * path appears in a layer (added, changed, or whited out) counts as an occurrence; a whiteout
 * of a file is an occurrence of 0 bytes, a whiteout of a folder counts the bytes of what it
 * removes. Per path, the cumulative size is the sum of its occurrences and the minimum is the
 * smallest; efficiency = sum of minimums / sum of cumulative sizes over all paths (1 when
 * nothing has a size). A file written once scores 1; written twice, or written then deleted,
 * it pulls the score down by its size.
 */
import type { LayerListing, ListedEntry } from './tar-walk.js';

export interface FsNode {
  type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  size: number;
  /** Index of the layer that last wrote it (for a folder made implicitly, the first that needed it). */
  layer: number;
  children?: Map<string, FsNode>;
}

export interface WastedFile {
  path: string;
  size: number;
  layer: number;
  removedBy: number;
  reason: 'deleted' | 'overwritten';
}

export interface LayerStats {
  /** Entries that are not folders or whiteouts. */
  files: number;
  /** Apparent bytes of the layer's regular files. */
  addedBytes: number;
}

export interface FilesystemView {
  root: FsNode;
  wasted: WastedFile[];
  efficiency: number;
  stats: Map<number, LayerStats>;
  /** Whiteouts naming a path that no layer read here holds (the base's layers were not read). */
  unresolvedRemovals: number;
}

const newDir = (layer: number): FsNode => ({ type: 'dir', size: 0, layer, children: new Map() });

function parts(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Each file under `node` (itself, if a file), with its path. */
export function* walkFiles(node: FsNode, path: string): Generator<[string, FsNode]> {
  if (node.type !== 'dir') {
    yield [path, node];
    return;
  }
  for (const [name, child] of node.children ?? []) yield* walkFiles(child, path === '/' ? `/${name}` : `${path}/${name}`);
}

/** Every node, folders included, parents before children. */
export function* walkAll(node: FsNode, path = '/'): Generator<[string, FsNode]> {
  yield [path, node];
  if (node.type !== 'dir') return;
  for (const [name, child] of node.children ?? []) yield* walkAll(child, path === '/' ? `/${name}` : `${path}/${name}`);
}

export function lookup(root: FsNode, path: string): FsNode | undefined {
  let node: FsNode | undefined = root;
  for (const p of parts(path)) {
    node = node.children?.get(p);
    if (!node) return undefined;
  }
  return node;
}

export function buildFilesystem(layers: { index: number; listing: LayerListing }[]): FilesystemView {
  const root = newDir(layers[0]?.index ?? 0);
  const wasted: WastedFile[] = [];
  const stats = new Map<number, LayerStats>();
  const occurrences = new Map<string, { cum: number; min: number }>();
  let extraCumulative = 0;
  let unresolvedRemovals = 0;

  const occur = (path: string, size: number) => {
    const o = occurrences.get(path);
    if (!o) occurrences.set(path, { cum: size, min: size });
    else {
      o.cum += size;
      o.min = Math.min(o.min, size);
    }
  };
  /** Records the files under `node` as wasted; returns their bytes. */
  const waste = (node: FsNode, path: string, removedBy: number, reason: WastedFile['reason']): number => {
    let bytes = 0;
    for (const [p, f] of walkFiles(node, path)) {
      bytes += f.size;
      if (f.size > 0 && f.layer < removedBy) wasted.push({ path: p, size: f.size, layer: f.layer, removedBy, reason });
    }
    return bytes;
  };
  const parentOf = (path: string, layer: number, create: boolean): FsNode | undefined => {
    let node = root;
    let at = '';
    const ps = parts(path);
    for (const p of ps.slice(0, -1)) {
      at += `/${p}`;
      let child = node.children?.get(p);
      if (!child || child.type !== 'dir') {
        if (!create) return undefined;
        // A file or link where a folder is now needed: the new layer replaces it.
        if (child) waste(child, at, layer, 'overwritten');
        child = newDir(layer);
        node.children?.set(p, child);
      }
      node = child;
    }
    return node;
  };
  const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

  const remove = (e: ListedEntry, layer: number) => {
    const parent = parentOf(e.path, layer, false);
    const target = e.type === 'opaque' ? lookup(root, e.path) : parent?.children?.get(nameOf(e.path));
    if (!target) {
      unresolvedRemovals++;
      return;
    }
    if (e.type === 'opaque') {
      if (target.type !== 'dir') return;
      const bytes = waste(target, e.path, layer, 'deleted');
      extraCumulative += bytes;
      occur(e.path, 0);
      target.children = new Map();
      return;
    }
    const bytes = waste(target, e.path, layer, 'deleted');
    if (target.type === 'dir') extraCumulative += bytes;
    occur(e.path, 0);
    parent?.children?.delete(nameOf(e.path));
  };

  const add = (e: ListedEntry, layer: number) => {
    const parent = parentOf(e.path, layer, true) as FsNode;
    const name = nameOf(e.path);
    const existing = parent.children?.get(name);
    if (e.type === 'dir') {
      if (existing?.type === 'dir') return;
      if (existing) waste(existing, e.path, layer, 'overwritten');
      parent.children?.set(name, newDir(layer));
      return;
    }
    if (existing) waste(existing, e.path, layer, 'overwritten');
    parent.children?.set(name, { type: e.type as FsNode['type'], size: e.size, layer });
    occur(e.path, e.size);
    const s = stats.get(layer) as LayerStats;
    s.files++;
    s.addedBytes += e.size;
  };

  for (const { index, listing } of layers) {
    stats.set(index, { files: 0, addedBytes: 0 });
    for (const e of listing.entries) if (e.type === 'whiteout' || e.type === 'opaque') remove(e, index);
    for (const e of listing.entries) if (e.type !== 'whiteout' && e.type !== 'opaque') add(e, index);
  }

  let minimum = 0;
  let cumulative = extraCumulative;
  for (const o of occurrences.values()) {
    minimum += o.min;
    cumulative += o.cum;
  }
  return { root, wasted, efficiency: cumulative === 0 ? 1 : minimum / cumulative, stats, unresolvedRemovals };
}

/** Bytes under each folder (apparent sizes summed, as `du --apparent-size` does, folders as 0). */
export function directorySizes(root: FsNode): Map<string, number> {
  const sizes = new Map<string, number>();
  const visit = (node: FsNode, path: string): number => {
    if (node.type !== 'dir') return node.size;
    let total = 0;
    for (const [name, child] of node.children ?? []) total += visit(child, path === '/' ? `/${name}` : `${path}/${name}`);
    sizes.set(path, total);
    return total;
  };
  visit(root, '/');
  return sizes;
}
