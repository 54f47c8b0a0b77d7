/**
 * Paths interned as (parent id, name): each path an image's layers mention is stored once, as
 * a small integer, its last name and its parent's id, instead of as a full string per entry.
 * An image of 100,000 files under a few thousand folders then costs a few MB of names and
 * integers, where full strings (`/usr/lib/python3.11/site-packages/...`, per file and again
 * per map key) cost tens of MB (issue #15: peak RSS under 200 MB for 100,000 files).
 *
 * Ids are never reused or removed: a path deleted by a whiteout keeps its id, so a later layer
 * that writes it again finds the same one (the efficiency figure counts per path). A parent's
 * id is always smaller than its children's, which lets a sum over folders run as one loop from
 * the last id down (src/files/filesystem.ts). Full paths are built only for what is printed.
 */

/** Grows a typed array to hold index `n`, doubling; the values kept. */
export function grown<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, n: number, make: (length: number) => T): T {
  if (n < a.length) return a;
  const b = make(Math.max(n + 1, a.length * 2));
  b.set(a);
  return b;
}

/**
 * A copy of `name` that holds on to nothing else. V8 makes a slice of 13 characters or more a
 * view into the string it was cut from: a name cut from a path, itself cut from a block of
 * paths (src/files/entry-list.ts), would keep the whole block alive for as long as the table.
 * JSON gives back an independent, equal string (lone surrogates included); shorter slices are
 * copies already.
 */
function detached(name: string): string {
  return name.length < 13 ? name : (JSON.parse(JSON.stringify(name)) as string);
}

export class PathTable {
  /** The id of `/`. */
  static readonly ROOT = 0;
  private parents = new Int32Array(1024);
  private readonly names: string[] = [''];
  /** The children of a folder, by name; undefined for a path nothing was ever put under. */
  private readonly kids: (Map<string, number> | undefined)[] = [undefined];

  constructor() {
    this.parents[0] = -1;
  }

  /** Paths interned so far; ids run from 0 to size - 1. */
  get size(): number {
    return this.names.length;
  }

  parentOf(id: number): number {
    return this.parents[id] ?? -1;
  }

  nameOf(id: number): string {
    return this.names[id] ?? '';
  }

  child(parent: number, name: string): number | undefined {
    return this.kids[parent]?.get(name);
  }

  /** The id of `name` under `parent`, interned when new. */
  intern(parent: number, name: string): number {
    let kids = this.kids[parent];
    const known = kids?.get(name);
    if (known !== undefined) return known;
    if (!kids) this.kids[parent] = kids = new Map();
    const id = this.names.length;
    const own = detached(name);
    this.parents = grown(this.parents, id, (n) => new Int32Array(n));
    this.parents[id] = parent;
    this.names.push(own);
    this.kids.push(undefined);
    kids.set(own, id);
    return id;
  }

  /** Every id ever put under `parent`, in the order first seen (callers skip the absent ones). */
  childrenOf(parent: number): IterableIterator<number> {
    return (this.kids[parent] ?? new Map<string, number>()).values();
  }

  /** `/usr/lib/x` for the id of x. */
  pathOf(id: number): string {
    if (id === PathTable.ROOT) return '/';
    const names: string[] = [];
    for (let at = id; at > PathTable.ROOT; at = this.parentOf(at)) names.push(this.nameOf(at));
    return `/${names.reverse().join('/')}`;
  }
}
