/**
 * A child process that writes a history the way `regsize report` does (History.open, then
 * record), for the tests of two writers at once, a writer killed mid-write, and a held lock.
 *
 *   history-writer FILE NAME RUNS wait   open, print "open", wait for a line on stdin, record
 *   history-writer FILE NAME RUNS big    record large runs, printing "recorded N" after each
 *   history-writer FILE hold             take the writer's lock, print "holding", never let go
 */
import { once } from 'node:events';
import { acquireLock } from '../../src/report/size-history-file.js';
import { History, type RunRecord } from '../../src/report/size-history-db.js';

const [file, name, runs, mode] = process.argv.slice(2) as [string, string, string | undefined, string | undefined];

function run(i: number, images: number): RunRecord {
  return {
    at: Date.UTC(2025, 0, 1) + i * 60_000,
    config: `${name}-${i}`,
    platform: 'linux/amd64',
    entries: Array.from({ length: images }, (_, j) => ({
      image: `registry.example/${name}/image-${j}:tag`,
      platform: 'linux/amd64',
      digest: `sha256:${j.toString(16).padStart(64, '0')}`,
      manifestDigest: `sha256:${(j + i).toString(16).padStart(64, '0')}`,
      compressedSize: 1_000_000 + i * 1000 + j,
      maxSize: null,
    })),
  };
}

if (name === 'hold') {
  acquireLock(file);
  process.stdout.write('holding\n');
  setInterval(() => {}, 60_000);
} else {
  const h = await History.open(file);
  if (mode === 'wait') {
    process.stdout.write('open\n');
    process.stdin.resume();
    await once(process.stdin, 'data');
  }
  for (let i = 0; i < Number(runs); i++) {
    h.record(run(i, mode === 'big' ? 2000 : 40));
    process.stdout.write(`recorded ${i + 1}\n`);
  }
  h.close();
}
