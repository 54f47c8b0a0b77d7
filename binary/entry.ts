/**
 * regsize as one bundled file (scripts/bundle.mjs), used two ways (issue #16):
 *   - the package: bin/run.js loads dist/bundle/regsize.cjs and calls `main` (one file to read
 *     and a V8 code cache, instead of ~400 modules resolved and compiled at every start);
 *   - the single executable (scripts/build-binary.mjs injects it into a copy of node as a SEA),
 *     which runs `main` itself, with no filesystem: package.json is compiled in.
 * Either way the commands are an explicit list (./commands.ts) and nothing else about the CLI
 * changes: the same oclif, the same command classes, the same flags and routing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execute } from '@oclif/core';
import { COMMAND_LOADERS, useBuiltInManifest } from './commands.js';

export { loadCommands } from './commands.js';
import { ExitCode } from '../src/cli/exit-codes.js';
import { commandIds, routeArgs } from '../src/cli/route.js';

/** package.json and oclif.manifest.json, inlined by the single executable's build (scripts/bundle.mjs). */
declare const REGSIZE_PACKAGE_JSON: PackageJson;
declare const REGSIZE_MANIFEST: { commands: Record<string, unknown> };

interface PackageJson {
  name: string;
  version: string;
  oclif: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Runs regsize with these arguments: routing (`regsize IMAGE...` is compare), then oclif.
 * @param packageRoot the package's folder (bin/run.js passes it); undefined inside the single
 *   executable, which has no package folder.
 */
export async function main(args: string[], packageRoot: string | undefined): Promise<void> {
  // The package's own package.json: oclif finds the plugins among its dependencies.
  const pjson = packageRoot === undefined ? REGSIZE_PACKAGE_JSON : (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson);
  const commands = { strategy: 'explicit', target: './binary/commands.js', identifier: 'COMMANDS' };
  let routed: string[];
  try {
    routed = routeArgs(args, packageRoot === undefined ? Object.keys(COMMAND_LOADERS) : commandIds(packageRoot));
  } catch (e) {
    // A mistyped command: one line and the usage exit code, as every usage error.
    process.stderr.write(`regsize: ${(e as Error).message}\n`);
    process.exitCode = ExitCode.USAGE;
    return;
  }
  // In the package, oclif reads the committed oclif.manifest.json (help without loading every
  // command) and the plugins from node_modules, as without the bundle; but one of regsize's own
  // commands needs no plugin (they add commands and install hooks only), so a compare does not
  // pay for finding and reading them. The single executable has no manifest, plugins or hook
  // files: routeArgs already sends `regsize IMAGE...` to compare.
  const plugins = packageRoot === undefined || isOwnCommand(routed) ? [] : pjson.oclif.plugins;
  const oclif = { ...pjson.oclif, commands, plugins, ...(packageRoot === undefined ? { hooks: {} } : {}) };
  // oclif wants a root folder; in the single executable nothing is read from it.
  const root = packageRoot ?? (process.execPath.replace(/\/[^/]*$/, '') || '/');
  await execute({ args: routed, loadOptions: { root, pjson: { ...pjson, oclif } as never } });
}

/** Whether oclif will run one of regsize's commands (`report history` is report:history's words). */
function isOwnCommand(routed: readonly string[]): boolean {
  return Object.keys(COMMAND_LOADERS).some((id) => routed[0] === id.split(':')[0]);
}

/** The single executable: bin/run.js's job, without the filesystem. */
async function sea(): Promise<void> {
  const args = process.argv.slice(2);
  // As bin/run.js: Ctrl-C exits 130 once a write under way has finished.
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    process.stdout.write('', () => process.exit(130));
  });
  const { name, version } = REGSIZE_PACKAGE_JSON;
  if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
    process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
    return;
  }
  // oclif then imports only the command it runs, as in the package, not every one to list them.
  useBuiltInManifest(REGSIZE_MANIFEST);
  await main(args, undefined);
  process.stdout.write('', () => interrupted || process.exit());
}

if (process.getBuiltinModule('node:sea').isSea()) void sea();
