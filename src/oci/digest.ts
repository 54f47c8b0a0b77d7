/** Content digests: computed from the bytes the registry sent, never from re-serialised JSON. */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../errors.js';

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function computeDigest(algorithm: string, bytes: Uint8Array): string {
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new RegsizeError('DIGEST_MISMATCH', `cannot verify digest algorithm "${algorithm}"`);
  }
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected`. `what` names the object for the message. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const algorithm = expected.split(':')[0] ?? '';
  const actual = computeDigest(algorithm, bytes);
  if (actual !== expected) {
    throw new RegsizeError(
      'DIGEST_MISMATCH',
      `${what}: content digest ${actual} does not match ${expected}; the registry or a proxy altered it, do not trust this image`,
    );
  }
}
