// Loads dist/bundle/regsize.cjs (scripts/build-bundle.mjs) with the V8 code cache built beside
// it: Node 20 has no module compile cache (NODE_COMPILE_CACHE came in 22), and compiling the
// bundle's few MB again at every start is most of what is left of start-up once it is one file.
// V8 checks the cache against its own version and flags and ignores it when they differ (another
// node than the one that built the package): then it costs one file read, nothing more.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/regsize.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.v8-cache`;
/** src/cli/early-target.ts as one CommonJS file, built with the bundle (scripts/bundle.mjs). */
export const EARLY_TARGET = fileURLToPath(new URL('../dist/bundle/early-target.cjs', import.meta.url));
/** bin/run.js's fallback, main as tsc compiled it: in a checkout only (the package ships the bundle instead). */
const COMPILED = fileURLToPath(new URL('../dist/binary/entry.js', import.meta.url));

/**
 * Whether to run the bundle: it exists and, in a checkout, is not older than what tsc last
 * compiled (tsc writes every file at each build), so a checkout rebuilt with `tsc` alone (not
 * `npm run build`) runs its fresh compiled files rather than a stale bundle.
 */
export function bundleIsCurrent() {
  const mtime = (file) => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const bundle = mtime(BUNDLE);
  const compiled = mtime(COMPILED);
  return bundle !== undefined && (compiled === undefined || bundle >= compiled);
}

/** early-target's exports ({ earlyTarget }) from its bundle, or undefined when it is not built. */
export function loadEarlyTarget() {
  try {
    return createRequire(import.meta.url)(EARLY_TARGET);
  } catch (e) {
    if (e?.code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** The bundle's exports ({ main, loadCommands }), compiled with the code cache when there is one. */
export function loadBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(CODE_CACHE);
  } catch {
    // No cache (a build that made none): compile from source.
  }
  return compile(cachedData).exports;
}

/**
 * The build's step: runs the bundle's top level, then `warm` (what a start runs after it), and
 * writes the code cache, which then holds every function compiled so far.
 */
export async function writeCodeCache(warm) {
  const { script, exports } = compile(undefined);
  await warm(exports);
  writeFileSync(CODE_CACHE, script.createCachedData());
}

function compile(cachedData) {
  // ASCII (scripts/bundle.mjs), so UTF-8's fast path decodes it. Not latin1: that makes an
  // external string, from which V8 compiles each lazy function markedly slower (~10 ms a run).
  const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData });
  // The bundle has no import() of its own (see scripts/bundle.mjs): oclif's, of the plugin
  // files it loads, comes here, to a real one.
  globalThis[Symbol.for('regsize.import')] = (specifier) => import(specifier);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { script, exports: module.exports };
}
