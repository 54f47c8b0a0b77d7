#!/usr/bin/env node
// dist/bundle/regsize.cjs and its V8 code cache, which bin/run.js runs (issue #16: start-up).
// Part of `npm run build` and of prepack, after tsc: bin/run.js uses the bundle only when it is
// not older than the compiled files (bin/load-bundle.js).
import { rmSync } from 'node:fs';
import { bundle, ROOT } from './bundle.mjs';

const { BUNDLE, CODE_CACHE, loadBundle } = await import(new URL('../bin/load-bundle.js', import.meta.url).href);
rmSync(CODE_CACHE, { force: true });
await bundle({ outfile: BUNDLE, target: 'package' });
// Loading runs the bundle's top level (oclif, undici, every command's module), not a command.
loadBundle({ writeCache: true });
process.stderr.write(`wrote ${BUNDLE.slice(ROOT.length)} and its code cache\n`);
