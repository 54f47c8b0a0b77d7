/**
 * The single-file binary, built once per test process (it takes a minute or two): the binary
 * and container tests share it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from './package.js';

export const BINARY = join(ROOT, 'dist', 'regsize');

let building: Promise<string> | undefined;

export function ensureBinary(): Promise<string> {
  building ??= (async () => {
    const r = await run(process.execPath, [join(ROOT, 'scripts', 'build-binary.mjs')], { cwd: ROOT, timeoutMs: 600_000 });
    if (r.code !== 0 || !existsSync(BINARY)) throw new Error(`npm run build:binary failed (${r.code}):\n${r.stderr}`);
    return BINARY;
  })();
  return building;
}
