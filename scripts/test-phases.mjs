#!/usr/bin/env node
// `npm test` and `npm run test:ci`: the phases in order, each timed on stderr, stopping at the
// first that fails with its exit code. tsc type-checks as it builds, so there is no separate
// typecheck phase. --install-deps (test:ci) first installs what the tests run for real.
import { spawnSync } from 'node:child_process';

const npx = (...args) => ['npx', '--no-install', ...args];
const phases = [
  ...(process.argv.includes('--install-deps') ? [['install deps', ['bash', 'scripts/install-test-deps.sh']]] : []),
  ['build', npx('tsc', '-p', 'tsconfig.json')],
  ['lint', npx('eslint', '.')],
  ['manifest check', ['node', 'scripts/check-manifest.js']],
  ['mirror check', ['node', 'scripts/check-mirror.mjs']],
  // The spec is named here, not in .mocharc.json: mocha adds a config's spec to the files named
  // on its command line, so `npx mocha dist/test/x.test.js` would run the whole suite as well.
  ['mocha', npx('mocha', 'dist/test/**/*.test.js')],
];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const times = [];
for (const [name, [cmd, ...args]] of phases) {
  const started = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const took = performance.now() - started;
  times.push(`${name}: ${seconds(took)}`);
  process.stderr.write(`test phase ${name}: ${seconds(took)}${r.status === 0 ? '' : ' (failed)'}\n`);
  if (r.status !== 0) {
    process.stderr.write(`test phases: ${times.join(', ')}\n`);
    process.exit(r.status ?? 1);
  }
}
process.stderr.write(`test phases: ${times.join(', ')}\n`);
