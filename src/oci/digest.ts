/** Content digests: computed from the bytes the registry sent, never from re-serialised JSON. */
import { createHash } from 'node:crypto';
import { DigestMismatchError, RegsizeError } from '../errors.js';

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

/**
 * The algorithm of `digest`, when regsize can verify it; otherwise UNSUPPORTED (not
 * DIGEST_MISMATCH: nothing was found altered, regsize just cannot check it). `what` names the
 * object for the message. Call it before reading a body that is to be verified.
 */
export function verifiableAlgorithm(digest: string, what: string): string {
  const algorithm = digest.split(':')[0] ?? '';
  if (DIGEST_HEX_LENGTHS[algorithm] !== undefined) return algorithm;
  // The name is the registry's text: quoted (escapes shown) and cut short.
  throw new RegsizeError(
    'UNSUPPORTED',
    `${what}: cannot verify digest algorithm ${JSON.stringify(algorithm.slice(0, 32))}; regsize verifies ${Object.keys(DIGEST_HEX_LENGTHS).join(', ')} only`,
  );
}

export function computeDigest(algorithm: string, bytes: Uint8Array): string {
  verifiableAlgorithm(`${algorithm}:`, 'content');
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected` (UNSUPPORTED for an algorithm regsize cannot verify). `what` names the object. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = computeDigest(verifiableAlgorithm(expected, what), bytes);
  if (actual !== expected) {
    throw new DigestMismatchError(
      `${what}: content digest ${actual} does not match ${expected}; the registry or a proxy altered it, do not trust this image`,
    );
  }
}
