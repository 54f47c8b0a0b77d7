#!/usr/bin/env node
// dist/bundle/regsize.cjs and its V8 code cache, which bin/run.js runs (issue #16: start-up).
// Part of `npm run build` and of prepack, after tsc: bin/run.js uses the bundle only when it is
// not older than the compiled files (bin/load-bundle.js).
import { rmSync } from 'node:fs';
import { bundle, bundleEarlyTarget, ROOT } from './bundle.mjs';

const { BUNDLE, CODE_CACHE, EARLY_TARGET, writeCodeCache } = await import(new URL('../bin/load-bundle.js', import.meta.url).href);
rmSync(CODE_CACHE, { force: true });
// First: bin/run.js takes it only with a bundle at least as new (bin/load-bundle.js).
await bundleEarlyTarget({ outfile: EARLY_TARGET });
await bundle({ outfile: BUNDLE, target: 'package' });
// The cache holds what was compiled by then: the bundle's top level (oclif, undici) and every
// command's module (each is imported at run time only when it runs: binary/commands.ts).
await writeCodeCache((bundled) => bundled.loadCommands());
process.stderr.write(`wrote ${BUNDLE.slice(ROOT.length)} and its code cache\n`);
