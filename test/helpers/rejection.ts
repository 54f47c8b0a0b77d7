/** The RegsizeError a promise rejects with (code and message), failing the test if it resolves or throws anything else. */
import assert from 'node:assert/strict';
import { isRegsizeError, type RegsizeError } from '../../src/errors.js';

export async function rejectionOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await regsizeRejection(p);
  return { code: e.code, message: e.message };
}

/** The RegsizeError itself, for tests that read its class, cause or retryable flag. */
export async function regsizeRejection(p: Promise<unknown>): Promise<RegsizeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRegsizeError(e), `expected a RegsizeError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}
