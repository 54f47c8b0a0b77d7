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
import { FsTree, type NodeType } from './fs-tree.js';
import type { LayerListing } from './tar-walk.js';
import type { ListedEntry } from './entry-list.js';
import { grown } from './path-table.js';

export { FsTree } from './fs-tree.js';

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
  root: FsTree;
  wasted: WastedFile[];
  efficiency: number;
  stats: Map<number, LayerStats>;
  /** Whiteouts naming a path that no layer read here holds (the base's layers were not read). */
  unresolvedRemovals: number;
}

const parts = (path: string): string[] => path.split('/').filter(Boolean);
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Stacks listings one layer at a time, lowest first, so a caller can fold each listing in as
 * soon as it and the layers below it are read, and let go of its entries (only the view is
 * kept: src/files/analyse.ts).
 */
export class FilesystemBuilder {
  private tree: FsTree | undefined;
  private readonly wasted: WastedFile[] = [];
  private readonly stats = new Map<number, LayerStats>();
  /**
   * dive's occurrences: the cumulative size over all paths is a plain sum (`cumulative`); per
   * path id only the smallest size is kept, `seen` marking the paths with one.
   */
  private min = new Float64Array(1024);
  private seen = new Uint8Array(1024);
  private cumulative = 0;
  private unresolvedRemovals = 0;

  addLayer(index: number, listing: LayerListing): void {
    const tree = (this.tree ??= new FsTree(index));
    this.stats.set(index, { files: 0, addedBytes: 0 });
    for (const e of listing.entries) if (e.type === 'whiteout' || e.type === 'opaque') this.remove(tree, e, index);
    for (const e of listing.entries) if (e.type !== 'whiteout' && e.type !== 'opaque') this.add(tree, e, index);
  }

  finish(): FilesystemView {
    const root = this.tree ?? new FsTree(0);
    let minimum = 0;
    for (let id = 0; id < this.seen.length; id++) if (this.seen[id]) minimum += this.min[id] ?? 0;
    const cumulative = this.cumulative;
    return { root, wasted: this.wasted, efficiency: cumulative === 0 ? 1 : minimum / cumulative, stats: this.stats, unresolvedRemovals: this.unresolvedRemovals };
  }

  private occur(id: number, size: number): void {
    this.min = grown(this.min, id, (n) => new Float64Array(n));
    this.seen = grown(this.seen, id, (n) => new Uint8Array(n));
    this.cumulative += size;
    this.min[id] = this.seen[id] ? Math.min(this.min[id] ?? 0, size) : size;
    this.seen[id] = 1;
  }

  /** Records the files under `id` as wasted and removes them; returns their bytes. */
  private waste(tree: FsTree, id: number, removedBy: number, reason: WastedFile['reason']): number {
    let bytes = 0;
    for (const f of tree.files(id)) {
      const size = tree.sizeOf(f);
      const layer = tree.layerOf(f);
      bytes += size;
      if (size > 0 && layer < removedBy) this.wasted.push({ path: tree.paths.pathOf(f), size, layer, removedBy, reason });
    }
    tree.remove(id);
    return bytes;
  }

  /** The folder holding `path`, made (replacing whatever file stood in the way) when `create`. */
  private parentOf(tree: FsTree, path: string, layer: number, create: boolean): number | undefined {
    let node = tree.root;
    const ps = parts(path);
    for (let i = 0; i < ps.length - 1; i++) {
      const name = ps[i] as string;
      let child = tree.child(node, name);
      if (child === undefined || !tree.isDir(child)) {
        if (!create) return undefined;
        // A file or link where a folder is now needed: the new layer replaces it.
        if (child !== undefined) this.waste(tree, child, layer, 'overwritten');
        child = tree.paths.intern(node, name);
        tree.set(child, 'dir', 0, layer);
      }
      node = child;
    }
    return node;
  }

  private remove(tree: FsTree, e: ListedEntry, layer: number): void {
    const parent = this.parentOf(tree, e.path, layer, false);
    const target = e.type === 'opaque' ? tree.find(e.path) : parent === undefined ? undefined : tree.child(parent, nameOf(e.path));
    if (target === undefined) {
      this.unresolvedRemovals++;
      return;
    }
    if (e.type === 'opaque') {
      if (!tree.isDir(target)) return;
      // The folder stays; what lower layers put in it goes.
      for (const c of [...tree.paths.childrenOf(target)]) if (tree.has(c)) this.cumulative += this.waste(tree, c, layer, 'deleted');
      this.occur(target, 0);
      return;
    }
    const dir = tree.isDir(target);
    const bytes = this.waste(tree, target, layer, 'deleted');
    if (dir) this.cumulative += bytes;
    this.occur(target, 0);
  }

  private add(tree: FsTree, e: ListedEntry, layer: number): void {
    const parent = this.parentOf(tree, e.path, layer, true) as number;
    const name = nameOf(e.path);
    const existing = tree.child(parent, name);
    if (e.type === 'dir') {
      if (existing !== undefined && tree.isDir(existing)) return;
      if (existing !== undefined) this.waste(tree, existing, layer, 'overwritten');
      tree.set(tree.paths.intern(parent, name), 'dir', 0, layer);
      return;
    }
    if (existing !== undefined) this.waste(tree, existing, layer, 'overwritten');
    const id = tree.paths.intern(parent, name);
    tree.set(id, e.type as NodeType, e.size, layer);
    this.occur(id, e.size);
    const s = this.stats.get(layer) as LayerStats;
    s.files++;
    s.addedBytes += e.size;
  }
}

export function buildFilesystem(layers: { index: number; listing: LayerListing }[]): FilesystemView {
  const b = new FilesystemBuilder();
  for (const { index, listing } of layers) b.addLayer(index, listing);
  return b.finish();
}

/** Bytes under each folder (apparent sizes summed, as `du --apparent-size` does, folders as 0). */
export function directorySizes(tree: FsTree): Map<string, number> {
  // A parent's id is below its children's: one pass from the last id down adds each node into
  // its parent after everything under it was added into it.
  const sums = new Float64Array(tree.size);
  for (let id = tree.size - 1; id > tree.root; id--) {
    if (!tree.has(id)) continue;
    const parent = tree.paths.parentOf(id);
    sums[parent] = (sums[parent] ?? 0) + (tree.isDir(id) ? (sums[id] ?? 0) : tree.sizeOf(id));
  }
  const sizes = new Map<string, number>();
  for (let id = 0; id < tree.size; id++) if (tree.isDir(id)) sizes.set(tree.paths.pathOf(id), sums[id] ?? 0);
  return sizes;
}

/** The `top` largest files (not folders), largest first, ties by path; full paths built for those only. */
export function largestFiles(tree: FsTree, top: number): { path: string; size: number; layer: number }[] {
  const sizes: number[] = [];
  for (let id = 0; id < tree.size; id++) if (tree.has(id) && !tree.isDir(id)) sizes.push(tree.sizeOf(id));
  if (sizes.length === 0 || top <= 0) return [];
  // The size of the top-th file: every file at least that large is a candidate (ties included,
  // so the order by path among equal sizes is the same as sorting everything).
  const threshold = Float64Array.from(sizes).sort().reverse()[Math.min(top, sizes.length) - 1] ?? 0;
  const candidates: { path: string; size: number; layer: number }[] = [];
  for (let id = 0; id < tree.size; id++) {
    if (tree.has(id) && !tree.isDir(id) && tree.sizeOf(id) >= threshold) candidates.push({ path: tree.paths.pathOf(id), size: tree.sizeOf(id), layer: tree.layerOf(id) });
  }
  return candidates.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1)).slice(0, top);
}
