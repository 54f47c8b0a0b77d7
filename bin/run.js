#!/usr/bin/env node
// Entry point: the `regsize` command. Everything but --version runs binary/entry.ts's main,
// from the bundle when it is built (dist/bundle/regsize.cjs: one file and a code cache, about
// 150 ms sooner at every start than ~400 modules) or as tsc compiled it (dist/binary/entry.js).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

// `regsize --version` answers without loading oclif: scripts and shell prompts call it often.
// Same text as oclif's own version output.
if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
  const { name, version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  // `regsize IMAGE...`: TCP + TLS to the first image's registry start now, and run while the
  // rest loads (undici then takes the socket: src/transport/preconnect.ts).
  const { bundleIsCurrent, loadBundle, loadEarlyTarget } = await import('./load-bundle.js');
  const bundled = bundleIsCurrent();
  const { earlyTarget, preconnect } = (bundled && loadEarlyTarget()) || (await import('../dist/src/cli/early-target.js'));
  const target = earlyTarget(args, fileURLToPath(root));
  if (target) await preconnect(target.hostname, target.port);
  const { main } = bundled ? loadBundle() : await import('../dist/binary/entry.js');
  await main(args, fileURLToPath(root));
  // The answer is printed: exit now rather than when the last socket or timer lets go (a TLS
  // handshake to a silent server holds the process for undici's 10 s connect timeout).
  // An interrupted run exits 130 from the SIGINT handler instead.
  process.stdout.write('', () => interrupted || process.exit());
}
