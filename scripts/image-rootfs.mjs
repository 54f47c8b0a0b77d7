#!/usr/bin/env node
// The build context of the Containerfile: dist/regsize (npm run build:binary) and the shared
// libraries ldd says it needs, at the paths the dynamic loader looks for them, so that the image
// can be FROM scratch: no distribution, no shell, nothing else to patch.
//   node scripts/image-rootfs.mjs [OUT]      (default dist/image)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(root, 'dist', 'image');
const binary = join(root, 'dist', 'regsize');

rmSync(out, { recursive: true, force: true });
const rootfs = join(out, 'rootfs');
const put = (from, to) => {
  mkdirSync(dirname(join(rootfs, to)), { recursive: true });
  copyFileSync(from, join(rootfs, to)); // follows symlinks: the library itself, under the name asked for
};
put(binary, '/usr/local/bin/regsize');
chmodSync(join(rootfs, '/usr/local/bin/regsize'), 0o755);
// "libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
  const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
  if (m) put(m[1], m[1]);
}
// A writable home (cache, history) for the unprivileged user the image runs as, and a /tmp.
mkdirSync(join(out, 'home', 'regsize'), { recursive: true });
mkdirSync(join(rootfs, 'tmp'), { recursive: true });
chmodSync(join(rootfs, 'tmp'), 0o1777);
process.stderr.write(`wrote ${out}\n`);
