/** scripts/check-mirror.mjs: names each source file without its mirror test, and only those. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = new URL('../../../scripts/check-mirror.mjs', import.meta.url);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface MirrorReport {
  missing: [string, string][];
  typeFiles: string[];
}
const { mirrorReport } = (await import(SCRIPT.href)) as { mirrorReport(root?: string): MirrorReport };

describe('scripts/check-mirror.mjs', () => {
  let root: string;
  const put = (file: string, text = '') => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'regsize-mirror-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists each src and commands file without its test at the mirror path', () => {
    put('src/sizing/sum.ts', 'export const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);\n');
    put('src/sizing/tested.ts', 'export function f(): number { return 1; }\n');
    put('test/sizing/tested.test.ts');
    put('commands/ecr/audit.ts', 'export default class Audit {}\n');
    put('commands/layers.ts', 'export default class Layers {}\n');
    put('test/commands/layers.test.ts');
    // A test elsewhere does not count: the mirror path does.
    put('test/sum.test.ts');
    assert.deepEqual(mirrorReport(root).missing, [
      ['src/sizing/sum.ts', 'test/sizing/sum.test.ts'],
      ['commands/ecr/audit.ts', 'test/commands/ecr/audit.test.ts'],
    ]);
  });

  it('exempts files that only declare types, and nothing that has a value', () => {
    put('src/types.ts', "import type { X } from './x.js';\nimport { type Y } from './y.js';\nexport interface A { x: X }\nexport type B = Y | string;\nexport type { C } from './c.js';\n");
    put('src/enum.ts', 'export interface A { a: 1 }\nexport enum E { One }\n');
    put('src/value.ts', 'export type A = string;\nexport const a: A = "a";\n');
    put('src/side-effect.ts', "import './x.js';\nexport type A = string;\n");
    const r = mirrorReport(root);
    assert.deepEqual(r.typeFiles, ['src/types.ts']);
    assert.deepEqual(r.missing.map(([file]) => file), ['src/enum.ts', 'src/side-effect.ts', 'src/value.ts']);
  });

  it('run on this tree: exit 1 with one line per missing file, or 0 when none is missing', () => {
    const expected = mirrorReport(ROOT).missing;
    const r = spawnSync(process.execPath, [fileURLToPath(SCRIPT)], { encoding: 'utf8' });
    const listed = [...r.stderr.matchAll(/^ {2}(\S+) {2}\(expected (\S+)\)$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(listed, expected);
    for (const [file, mirror] of listed) assert.ok(existsSync(join(ROOT, file!)) && !existsSync(join(ROOT, mirror!)), `${file} ${mirror}`);
    assert.equal(r.status, expected.length ? 1 : 0, r.stderr);
    if (!expected.length) assert.match(r.stderr, /every source file has its mirror test/);
  });
});
