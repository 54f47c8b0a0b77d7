#!/usr/bin/env node
// Regenerates oclif.manifest.json from the compiled commands and fails when the committed one
// differs: oclif trusts a committed manifest, so a stale one hides commands and flags.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const before = readFileSync('oclif.manifest.json', 'utf8');
execFileSync('npx', ['oclif', 'manifest'], { stdio: ['ignore', 'ignore', 'inherit'] });
const after = readFileSync('oclif.manifest.json', 'utf8');
if (before !== after) {
  console.error('oclif.manifest.json was stale and has been regenerated: commit the new one (git add oclif.manifest.json).');
  process.exit(1);
}
console.log('oclif.manifest.json is up to date.');
