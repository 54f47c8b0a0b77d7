import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRegsizeError } from '../../src/errors.js';
import { tarStore } from '../../src/source/file-store.js';

describe('tar index: entries found by one pass over the headers, read by offset', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'regsize-tar-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['pax', 'gnu', 'ustar']) {
    it(`reads what GNU tar --format=${format} writes, long names included where the format has them`, async () => {
      const src = path.join(dir, `src-${format}`);
      const deep = format === 'ustar' ? 'a/b' : `${'d'.repeat(90)}/${'e'.repeat(90)}`;
      mkdirSync(path.join(src, deep), { recursive: true });
      const files: Record<string, Buffer> = {
        'index.json': Buffer.from('{"schemaVersion":2}'),
        [`${deep}/blob`]: Buffer.from('x'.repeat(70_001)),
        'empty': Buffer.alloc(0),
      };
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(src, name), content);
      const file = path.join(dir, `${format}.tar`);
      execFileSync('tar', ['-C', src, `--format=${format}`, '-cf', file, '.']);
      const store = await tarStore(file);
      for (const [name, content] of Object.entries(files)) {
        assert.equal(await store.size(name), content.length, name);
        const chunks: Buffer[] = [];
        for await (const c of store.stream(name)) chunks.push(Buffer.from(c));
        assert.deepEqual(Buffer.concat(chunks), content, name);
      }
      assert.deepEqual(await store.read('index.json', 100), files['index.json']);
      assert.equal(await store.size('missing'), undefined);
    });
  }

  it('says a file that is not a tar is not one, in one line', async () => {
    const file = path.join(dir, 'junk.tar');
    writeFileSync(file, Buffer.alloc(2048, 7));
    await assert.rejects(tarStore(file), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && /junk\.tar is not a tar archive \(no tar header at the start\)/.test(e.message));
  });
});
