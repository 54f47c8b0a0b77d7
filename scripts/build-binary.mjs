#!/usr/bin/env node
// `npm run build:binary`: dist/regsize, one executable file with node, regsize and SQLite in it
// (a Node 20 single executable application, https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html).
//   1. esbuild (the WebAssembly build: no install script) bundles binary/entry.ts, every
//      dependency included, into one CommonJS file, as a SEA's main script must be;
//   2. node --experimental-sea-config sea-config.json turns it, with sql.js's .wasm as an
//      asset, into a blob (and a V8 code cache, for start-up);
//   3. a copy of this node gets the blob injected with postject, at the SEA sentinel fuse.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const esbuild = require('esbuild-wasm');
const out = `${root}dist/regsize`;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

mkdirSync(`${root}dist/binary`, { recursive: true });
// 1.
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['binary/entry.ts'],
  outfile: 'dist/binary/regsize.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // oclif prints a command's class name in some errors; keep them readable.
  keepNames: true,
  define: { REGSIZE_PACKAGE_JSON: JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description, type: 'commonjs', oclif: pkg.oclif }) },
  // Only ever loaded in development (oclif's ts-node support) or optionally (AWS CRT): a SEA
  // cannot load them from disk anyway, and their callers catch the failure.
  external: ['typescript', 'ts-node', 'tsx', 'source-map-support', '@aws-sdk/signature-v4-crt'],
  // oclif checks node against package.json's engines by reading it from disk; the node inside
  // the binary is the one it was built with.
  banner: { js: "process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';" },
  // The sources' `import.meta.url` only serves paths the binary never takes (files on disk).
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
if (result.errors.length) process.exit(1);
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
