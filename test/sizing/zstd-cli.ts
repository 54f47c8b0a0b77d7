/** zstd(1) as the independent writer of the frames the zstd tests read back. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** zstd fed on stdin: the frame header does not record the content size. */
export function zstd(input: Buffer, args: string[] = []): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

/** zstd reading a file (not stdin) knows the size and writes it into the frame header. */
export function zstdFromFile(input: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-zstd-'));
  try {
    const file = join(dir, 'in');
    writeFileSync(file, input);
    const r = spawnSync('zstd', ['-q', '-c', file], { maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr?.toString());
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A skippable frame (RFC 8878 §3.1.2) of `n` bytes of user data. */
export function skippableFrame(n: number, magicLow = 0): Buffer {
  const b = Buffer.alloc(8 + n);
  b.writeUInt32LE(0x184d2a50 + magicLow, 0);
  b.writeUInt32LE(n, 4);
  return b;
}
