#!/usr/bin/env node
// The build `npm pack` / `npm publish` ship (run as prepack): a clean dist/ from
// tsconfig.build.json, so no test code and no source map pointing at a .ts file that is not in
// the package. Building at pack time instead of in `prepare` means installing the package
// runs nothing at all. Then the bundle bin/run.js loads (scripts/build-bundle.mjs).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [new URL('build-bundle.mjs', import.meta.url).pathname], { cwd: root, stdio: 'inherit' });
