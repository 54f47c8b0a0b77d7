#!/usr/bin/env node
// `npm run build:binary`: dist/regsize, one executable file with node, regsize and SQLite in it
// (a Node 20 single executable application, https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
//   1. esbuild (the WebAssembly build: no install script) bundles binary/entry.ts, every
//      dependency included, into one CommonJS file, as a SEA's main script must be
//      (scripts/bundle.mjs, shared with the package's bundle);
//   2. node --experimental-sea-config sea-config.json turns it, with sql.js's .wasm as an
//      asset, into a blob (and a V8 code cache, for start-up);
//   3. a copy of this node gets the blob injected with postject, at the SEA sentinel fuse.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundle, ROOT as root } from './bundle.mjs';

const require = createRequire(import.meta.url);
const out = `${root}dist/regsize`;

mkdirSync(`${root}dist/binary`, { recursive: true });
// 1. (the same bundle as the package's, with everything inside: scripts/bundle.mjs)
await bundle({ outfile: 'dist/binary/regsize.cjs', target: 'sea' });
// 2.
execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], { cwd: root, stdio: 'inherit' });
// 3.
rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
execFileSync(
  process.execPath,
  [require.resolve('postject/dist/cli.js'), out, 'NODE_SEA_BLOB', 'dist/binary/sea-prep.blob', '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
process.stderr.write(`wrote ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)\n`);
