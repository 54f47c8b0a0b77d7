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
/** tsc writes every compiled file at each build, this one included. */
const COMPILED = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));

/**
 * Whether the bundle exists and is not older than the compiled files: a checkout rebuilt with
 * `tsc` alone (not `npm run build`) runs dist/ as compiled rather than a stale bundle. In the
 * packed package every file has the same time.
 */
export function bundleIsCurrent() {
  try {
    return statSync(BUNDLE).mtimeMs >= statSync(COMPILED).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * The bundle's exports ({ main }). With `writeCache` (the build), the code cache is written
 * after the bundle's modules have run their top level, so it holds what every start compiles.
 */
export function loadBundle({ writeCache = false } = {}) {
  let cachedData;
  try {
    if (!writeCache) cachedData = readFileSync(CODE_CACHE);
  } catch {
    // No cache (a build that made none): compile from source.
  }
  const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), {
    filename: BUNDLE,
    cachedData,
    // import() inside the bundle (the plugin oclif loads, the on-demand dependencies) as in any module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  if (writeCache) writeFileSync(CODE_CACHE, script.createCachedData());
  return module.exports;
}
