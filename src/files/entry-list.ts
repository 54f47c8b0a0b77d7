/**
 * A layer's entries as the tar parser finds them, packed: the paths joined into flat text
 * blocks (with their lengths), types and sizes in typed arrays. A listing waits here until
 * the layers below it are read and it is folded into the final filesystem; a layer of 100,000
 * files read while a larger one below it is still being read held 100,000 objects and strings
 * (~100 bytes each, promoted to the old space) before; packed it is ~40 bytes an entry
 * (issue #15: peak RSS under 200 MB for 100,000 files).
 *
 * Entries come back as ListedEntry objects, made one at a time as they are iterated.
 */
import { grown } from './path-table.js';

/** What a tar entry is, as a listing keeps it (src/files/tar-walk.ts reads them from the tar). */
export type EntryType = 'file' | 'dir' | 'symlink' | 'link' | 'other' | 'whiteout' | 'opaque';

/** One entry of a layer's tar. */
export interface ListedEntry {
  /** Absolute, normalised: /usr/lib/x. For `whiteout` the deleted path, for `opaque` the folder. */
  path: string;
  type: EntryType;
  /** Apparent bytes (regular files; 0 for the rest). */
  size: number;
}

const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'link', 'other', 'whiteout', 'opaque'];
/** Paths per text block: large enough that a block costs little beyond its text. */
const BLOCK = 1024;

export class EntryList implements Iterable<ListedEntry> {
  private readonly blocks: string[] = [];
  /** The paths of the block being filled. */
  private pending: string[] = [];
  private lengths = new Uint32Array(BLOCK);
  private types = new Uint8Array(BLOCK);
  private sizes = new Float64Array(BLOCK);
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(e: ListedEntry): void {
    const i = this.count++;
    this.lengths = grown(this.lengths, i, (n) => new Uint32Array(n));
    this.types = grown(this.types, i, (n) => new Uint8Array(n));
    this.sizes = grown(this.sizes, i, (n) => new Float64Array(n));
    this.lengths[i] = e.path.length;
    this.types[i] = TYPES.indexOf(e.type);
    this.sizes[i] = e.size;
    this.pending.push(e.path);
    if (this.pending.length === BLOCK) {
      this.blocks.push(this.pending.join(''));
      this.pending = [];
    }
  }

  *[Symbol.iterator](): Iterator<ListedEntry> {
    const last = this.pending.join('');
    let text = '';
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      if (i % BLOCK === 0) {
        text = this.blocks[i / BLOCK] ?? last;
        at = 0;
      }
      const end = at + (this.lengths[i] ?? 0);
      yield { path: text.slice(at, end), type: TYPES[this.types[i] ?? 0] ?? 'other', size: this.sizes[i] ?? 0 };
      at = end;
    }
  }
}
