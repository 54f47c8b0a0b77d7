/** Content digests: computed from the bytes the registry sent, never from re-serialised JSON. */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../errors.js';

/**
 * The digest grammar (OCI image-spec descriptor.md, "Digests"): algorithm:encoded. The
 * algorithms regsize can verify, with their hex lengths: those go-digest registers when docker
 * imports crypto/sha256 and crypto/sha512 (sha384 comes with sha512).
 */
export const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function computeDigest(algorithm: string, bytes: Uint8Array): string {
  if (DIGEST_HEX_LENGTHS[algorithm] === undefined) {
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
