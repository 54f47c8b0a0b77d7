#!/usr/bin/env node
// `npm run manifest`: oclif.manifest.json from the compiled commands, its commands in id order.
// oclif lists them in the order its file search found them, which varies from run to run (the
// search walks folders concurrently): ecr:audit came before or after report by timing alone, and
// scripts/check-manifest.js then called a fresh manifest stale. Sorted, the file is one text.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const MANIFEST = 'oclif.manifest.json';

export function writeManifest() {
  execFileSync('npx', ['oclif', 'manifest'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  const ids = Object.keys(manifest.commands).sort();
  manifest.commands = Object.fromEntries(ids.map((id) => [id, manifest.commands[id]]));
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) writeManifest();
