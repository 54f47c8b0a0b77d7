/**
 * The entry point of the single-file binary (scripts/build-binary.mjs bundles it with esbuild
 * and injects it into a copy of node as a SEA): bin/run.js without the filesystem. oclif would
 * read package.json, the manifest and every command from disk; here package.json is compiled
 * in and the commands are an explicit list (./commands.ts). Everything past `--version` is
 * imported on demand, which the bundle keeps lazy, as bin/run.js does.
 */

/** package.json, inlined by the build. */
declare const REGSIZE_PACKAGE_JSON: { name: string; version: string; oclif: Record<string, unknown> } & Record<string, unknown>;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // As bin/run.js: Ctrl-C exits 130 once a write under way has finished.
  process.once('SIGINT', () => {
    process.stdout.write('', () => process.exit(130));
  });
  const { name, version } = REGSIZE_PACKAGE_JSON;
  if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
    process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
    return;
  }
  const [{ execute }, { COMMANDS }, { routeArgs }] = await Promise.all([import('@oclif/core'), import('./commands.js'), import('../src/cli/route.js')]);
  // No hooks (they are files too): routeArgs already sends `regsize IMAGE...` to compare.
  const oclif = { ...REGSIZE_PACKAGE_JSON.oclif, commands: { strategy: 'explicit', target: './binary/commands.js', identifier: 'COMMANDS' }, hooks: {}, plugins: [] };
  const ids = Object.keys(COMMANDS);
  // oclif wants a root folder; nothing is read from it (the pjson is given, and the binary's
  // folder holds no oclif.manifest.json: the list above is the manifest).
  const root = process.execPath.replace(/\/[^/]*$/, '') || '/';
  await execute({ args: routeArgs(args, ids), loadOptions: { root, pjson: { ...REGSIZE_PACKAGE_JSON, oclif } as never } });
}

void main();
