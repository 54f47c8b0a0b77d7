#!/usr/bin/env node
// Regenerates oclif.manifest.json from the compiled commands (scripts/write-manifest.mjs) and
// fails when the committed one differs: oclif trusts a committed manifest, so a stale one hides
// commands and flags.
import { readFileSync } from 'node:fs';
import { MANIFEST, writeManifest } from './write-manifest.mjs';

const before = readFileSync(MANIFEST, 'utf8');
writeManifest();
const after = readFileSync(MANIFEST, 'utf8');
if (before !== after) {
  console.error('oclif.manifest.json was stale and has been regenerated: commit the new one (git add oclif.manifest.json).');
  process.exit(1);
}
console.log('oclif.manifest.json is up to date.');
