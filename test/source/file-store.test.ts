/** The files of a local image, in a directory or inside a tar (read by offset): sizes, whole reads with a cap, streams, and names that may not leave the store. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryStore, type FileStore, tarStore } from '../../src/source/file-store.js';
import { makeTar } from '../helpers/images.js';

const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));

async function all(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

describe('local image file stores', () => {
  let dir: string;
  const stores: [string, () => Promise<FileStore>][] = [
    ['directory', async () => directoryStore(join(dir, 'layout'))],
    ['tar', async () => tarStore(join(dir, 'layout.tar'))],
  ];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-filestore-'));
    mkdirSync(join(dir, 'layout', 'blobs'), { recursive: true });
    writeFileSync(join(dir, 'layout', 'index.json'), '{"a":1}');
    writeFileSync(join(dir, 'layout', 'blobs', 'big'), big);
    writeFileSync(join(dir, 'layout.tar'), makeTar([{ name: './index.json', content: '{"a":1}' }, { name: 'blobs/' }, { name: 'blobs/big', content: big }, { name: 'empty', content: '' }]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [kind, open] of stores) {
    it(`${kind}: sizes, reads and streams files by name (./ and / prefixes alike)`, async () => {
      const s = await open();
      assert.equal(await s.size('index.json'), 7);
      assert.equal(await s.size('/blobs/big'), big.length);
      assert.equal(await s.size('nothing'), undefined);
      assert.equal((await s.read('./index.json', 100)).toString(), '{"a":1}');
      assert.deepEqual(await all(s.stream('blobs/big')), big);
      await assert.rejects(s.read('blobs/big', 100), /blobs\/big is \d+ bytes, more than the 100/);
      await assert.rejects(s.read('missing.json', 100), /has no missing\.json; the image is incomplete/);
    });
  }

  it('a directory store refuses names that climb out of it', async () => {
    const s = directoryStore(join(dir, 'layout'));
    writeFileSync(join(dir, 'secret'), 'x');
    assert.throws(() => s.stream('../secret'), /points outside the layout/);
    await assert.rejects(s.read('blobs/../../secret', 10), /points outside the layout/);
  });

  it('a tar store streams an empty entry as nothing', async () => {
    assert.equal((await all((await tarStore(join(dir, 'layout.tar'))).stream('empty'))).length, 0);
  });
});
