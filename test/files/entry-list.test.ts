/**
 * A layer's entries, packed while they wait to be folded into the final filesystem: they come
 * back exactly as pushed (odd names included), in a fraction of the heap an object and a
 * string per entry take.
 */
import assert from 'node:assert/strict';
import { EntryList } from '../../src/files/entry-list.js';
import type { ListedEntry } from '../../src/files/entry-list.js';
import { retainedPerItem } from './heap.js';

describe('files: packed layer entries', () => {
  it('give back every entry as pushed, across text blocks, names with newlines, NULs and non-ASCII included', () => {
    const odd = ['/a\nb', '/nul\u0000x', '/ünïcødé/文件', '/emoji/😀', '/x'];
    const entries: ListedEntry[] = Array.from({ length: 2500 }, (_, i) => ({
      path: `${odd[i % odd.length]}/${i}`,
      type: (['file', 'dir', 'symlink', 'link', 'other', 'whiteout', 'opaque'] as const)[i % 7] ?? 'file',
      size: i % 7 === 0 ? i * 1_000_003 : 0,
    }));
    const list = new EntryList();
    for (const e of entries) list.push(e);
    assert.equal(list.length, entries.length);
    assert.deepEqual([...list], entries);
    assert.deepEqual([...list], entries, 'iterating twice gives the same');
    assert.deepEqual([...new EntryList()], []);
  });

  it('hold 50,000 entries in under 100 bytes each (an object and a string per entry take over 200)', async () => {
    const count = 50_000;
    const path = (i: number) => `/usr/lib/python3/site-packages/pkg${i % 500}/module${i}.py`;
    const { perItem, value } = await retainedPerItem(count, () => {
      const list = new EntryList();
      for (let i = 0; i < count; i++) list.push({ path: path(i), type: 'file', size: i });
      return list;
    });
    let i = 0;
    for (const e of value) assert.ok(e.path === path(i) && e.size === i++, `entry ${i}`);
    assert.equal(i, count);
    assert.ok(perItem < 100, `${perItem.toFixed(1)} bytes per entry`);
  });
});
