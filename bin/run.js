#!/usr/bin/env node
// Entry point. Routes `regsize IMAGE...` to the compare command before oclif parses anything.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);

// Ctrl-C exits at once with 130 (128 + SIGINT, as shells report it). Results are printed in one
// write at the end (--json prints one document), so stdout then holds all of it or nothing:
// with this handler a write under way finishes before the exit (without one, the default action
// could kill the process mid-write). A second Ctrl-C kills at once.
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stdout.write('', () => process.exit(130));
});

const root = new URL('..', import.meta.url);

// `regsize --version` answers without loading oclif (about 125 ms of imports): scripts and
// shell prompts call it often. Same text as oclif's own version output.
if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
  const { name, version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const { execute } = await import('@oclif/core');
  const { commandIds, routeArgs } = await import('../dist/src/cli/route.js');
  let routed;
  try {
    routed = routeArgs(args, commandIds(root.pathname));
  } catch (e) {
    // A mistyped command: one line and the usage exit code, as every usage error.
    process.stderr.write(`regsize: ${e.message}\n`);
    process.exit(2);
  }
  await execute({ args: routed, dir: import.meta.url });
  // The answer is printed: exit now rather than when the last socket or timer lets go (a TLS
  // handshake to a silent server holds the process for undici's 10 s connect timeout).
  // An interrupted run exits 130 from the SIGINT handler instead.
  process.stdout.write('', () => interrupted || process.exit());
}
