// One esbuild configuration for both bundles of regsize (issue #16): the package's
// dist/bundle/regsize.cjs, which bin/run.js loads (one file instead of ~400 modules), and the
// single executable's main script (scripts/build-binary.mjs). esbuild-wasm: no install script.
//
// Both are CommonJS, as a SEA's main script must be, and so that bin/run.js can compile the
// package's bundle with a V8 code cache (Node 20 has no module compile cache; see bin/load-bundle.js).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * @param {{ outfile: string, target: 'package' | 'sea' }} opts
 *   package: dependencies that load only on demand (the AWS SDK for ECR, SQLite for report
 *   history, zstd) stay in node_modules, as the package installs them; sea: everything inside.
 */
export async function bundle({ outfile, target }) {
  const esbuild = require('esbuild-wasm');
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  const onDemand = target === 'package' ? ['@aws-sdk/client-ecr', 'sql.js', 'fzstd'] : [];
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['binary/entry.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // oclif prints a command's class name in some errors; keep them readable.
    keepNames: true,
    // Whitespace and syntax only: a third smaller to read and compile at every start (a warm
    // compare about 4 ms sooner), names kept (identifiers are not minified), so a --debug stack
    // trace still names each function; its positions are columns of long lines rather than lines.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    // No import() in either: a SEA's main script cannot import() at all, and in a script
    // compiled from a V8 code cache (bin/load-bundle.js) import() fails on Node 20 (the cache
    // drops the script's module loader). import() of what is inside becomes a call; in the
    // package's, the import() of what stays outside (on-demand dependencies, oclif's of the
    // ES-module plugin files) goes through bin/load-bundle.js (outsideImports), a real one.
    supported: { 'dynamic-import': false },
    define: {
      // The single executable has no package.json to read (the package's bundle reads its own).
      REGSIZE_PACKAGE_JSON: target === 'sea' ? JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description, type: 'commonjs', oclif: pkg.oclif }) : 'undefined',
      // Nor the committed manifest (help and the command list without importing every command).
      REGSIZE_MANIFEST: target === 'sea' ? readFileSync(`${ROOT}oclif.manifest.json`, 'utf8') : 'undefined',
      // The one source that needs its own location (sqlite.ts finds sql.js's .wasm from it).
      'import.meta.url': '__regsizeBundleUrl',
    },
    // Only ever loaded in development (oclif's ts-node support) or optionally (AWS CRT): a SEA
    // cannot load them from disk anyway, and their callers catch the failure.
    external: ['typescript', 'ts-node', 'tsx', 'source-map-support', '@aws-sdk/signature-v4-crt', ...onDemand],
    plugins: target === 'package' ? [leanUndici, outsideImports(onDemand)] : [leanUndici],
    banner: {
      js: [
        // oclif checks node against package.json's engines by reading it from disk; the
        // bundle's package.json is compiled in.
        "process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';",
        "var __regsizeBundleUrl = require('node:url').pathToFileURL(__filename).href;",
        "var __regsizeImport = (specifier) => globalThis[Symbol.for('regsize.import')](specifier);",
      ].join('\n'),
    },
    logLevel: 'warning',
    metafile: true,
  });
  if (result.errors.length) throw new Error(`esbuild failed for ${outfile}`);
  const file = isAbsolute(outfile) ? outfile : join(ROOT, outfile);
  writeFileSync(file, asciiOnly(readFileSync(file, 'utf8')));
  return result;
}

/**
 * bin/run.js's first step, src/cli/early-target.ts, as one CommonJS file (issue #16): it runs
 * before the bundle, to start the early connection, and as ES modules its ten or so files cost
 * a warm compare about 8 ms of resolving and compiling, against 2 ms for this one.
 */
export async function bundleEarlyTarget({ outfile }) {
  const esbuild = require('esbuild-wasm');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/early-target.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    charset: 'ascii',
    logLevel: 'warning',
  });
  if (result.errors.length) throw new Error(`esbuild failed for ${outfile}`);
}

/**
 * The bundle in ASCII alone: Node decodes an ASCII file's few MB of UTF-8 on its fast path, in
 * about 1 ms; a single other character sends all of it down the slow one, about 7 ms at every
 * start (bin/load-bundle.js). esbuild escapes what it can
 * (charset ascii) but leaves comments and regular expression literals as written (a U+009B in
 * ansis' escape-code pattern, a few typographic quotes in undici's comments). \uXXXX means the
 * same character in a comment, a string, a regular expression and a template's cooked value
 * (when this was written, every such character was in a comment or that one pattern).
 */
function asciiOnly(code) {
  // eslint-disable-next-line no-control-regex
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `import ... from 'undici'` resolves to binary/undici-lean.mjs: the dispatcher classes only.
 * undici's index also sets up fetch, WebSocket, cookies and caches at load (regsize uses
 * Node's global fetch, so none of it), about a third of the start-up left after bundling.
 */
const leanUndici = {
  name: 'lean-undici',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => (args.importer.endsWith('undici-lean.mjs') ? undefined : { path: `${ROOT}binary/undici-lean.mjs` }));
  },
};

/**
 * The package's import() of what is outside the bundle, as calls to bin/load-bundle.js's real
 * import(): the on-demand dependencies in src/ (loaded then exactly as without the bundle), and
 * oclif's loading of a plugin's commands and hooks (ES modules: @oclif/plugin-autocomplete),
 * three sites in @oclif/core 4's module-loader.js: another count (a new oclif) fails the build.
 */
function outsideImports(names) {
  const quoted = names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  // Not `typeof import('x')`, a type.
  const dependency = () => new RegExp(`(?<!typeof )\\bimport\\((['"])(${quoted})\\1\\)`, 'g');
  return {
    name: 'outside-imports',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(dependency(), "__regsizeImport('$2')");
        return contents === source ? undefined : { contents, loader: 'ts' };
      });
      build.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const sites = source.split('await import(').length - 1;
        if (sites !== 3) throw new Error(`${args.path}: expected 3 import() calls to route through bin/load-bundle.js, found ${sites}`);
        return { contents: source.replaceAll('await import(', 'await __regsizeImport('), loader: 'js' };
      });
    },
  };
}
