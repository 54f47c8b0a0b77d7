/**
 * The final filesystem's nodes, one per path id of a PathTable (src/files/path-table.ts), in
 * typed arrays: a type, a size and the layer that wrote it. No object per file: 100,000 files
 * cost 13 bytes each here plus their names, where an object per node cost over 100.
 *
 * A path the final filesystem does not hold (never written, or deleted) has type ABSENT; a
 * node that is not a folder never has present children (the builder removes a folder's
 * subtree when something else replaces it), so walks need only check each node's type.
 */
import { grown, PathTable } from './path-table.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'link' | 'other';

const ABSENT = 0;
const TYPES: readonly NodeType[] = ['file', 'dir', 'symlink', 'link', 'other'];
const DIR = TYPES.indexOf('dir') + 1;

export class FsTree {
  readonly paths = new PathTable();
  readonly root = PathTable.ROOT;
  private types = new Uint8Array(1024);
  private sizes = new Float64Array(1024);
  private layers = new Int32Array(1024);

  /** `rootLayer`: the layer the root folder is credited to (the first one stacked). */
  constructor(rootLayer: number) {
    this.set(this.root, 'dir', 0, rootLayer);
  }

  has(id: number): boolean {
    return (this.types[id] ?? ABSENT) !== ABSENT;
  }

  isDir(id: number): boolean {
    return this.types[id] === DIR;
  }

  typeOf(id: number): NodeType | undefined {
    return TYPES[(this.types[id] ?? ABSENT) - 1];
  }

  /** Apparent bytes (0 for folders). */
  sizeOf(id: number): number {
    return this.sizes[id] ?? 0;
  }

  /** The layer that last wrote it (for a folder made implicitly, the first that needed it). */
  layerOf(id: number): number {
    return this.layers[id] ?? 0;
  }

  set(id: number, type: NodeType, size: number, layer: number): void {
    this.types = grown(this.types, id, (n) => new Uint8Array(n));
    this.sizes = grown(this.sizes, id, (n) => new Float64Array(n));
    this.layers = grown(this.layers, id, (n) => new Int32Array(n));
    this.types[id] = TYPES.indexOf(type) + 1;
    this.sizes[id] = size;
    this.layers[id] = layer;
  }

  /** Removes the node and everything under it. */
  remove(id: number): void {
    const stack = [id];
    for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
      if (this.isDir(at)) for (const c of this.paths.childrenOf(at)) if (this.has(c)) stack.push(c);
      this.types[at] = ABSENT;
    }
  }

  /** The present node `name` under `parent`. */
  child(parent: number, name: string): number | undefined {
    const id = this.paths.child(parent, name);
    return id !== undefined && this.has(id) ? id : undefined;
  }

  /** The present node at `path` (`/usr/lib`, empty names ignored). */
  find(path: string): number | undefined {
    let id: number | undefined = this.root;
    for (const name of path.split('/')) {
      if (name === '') continue;
      id = this.child(id, name);
      if (id === undefined) return undefined;
    }
    return id;
  }

  /** The present children of a folder, last first (pushed on a stack, they pop in order). */
  private reversedChildren(id: number): number[] {
    const kids: number[] = [];
    for (const c of this.paths.childrenOf(id)) if (this.has(c)) kids.push(c);
    return kids.reverse();
  }

  /** Each present node under `id` (itself included) that is not a folder, in depth-first order. */
  *files(id: number): Generator<number> {
    if (!this.has(id)) return;
    const stack = [id];
    for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
      if (!this.isDir(at)) yield at;
      else stack.push(...this.reversedChildren(at));
    }
  }

  /** Every present node with its path, folders included, parents before their children. */
  *all(): Generator<[string, number]> {
    const stack: [string, number][] = [['/', this.root]];
    for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
      const [path, id] = at;
      yield at;
      if (!this.isDir(id)) continue;
      for (const c of this.reversedChildren(id)) stack.push([path === '/' ? `/${this.paths.nameOf(c)}` : `${path}/${this.paths.nameOf(c)}`, c]);
    }
  }

  /** Ids from 0 up to (not including) this; a parent's id is below its children's. */
  get size(): number {
    return this.paths.size;
  }
}
