/** The RegsizeError a promise rejects with (code and message), failing the test if it resolves or throws anything else. */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';

export async function rejectionOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRegsizeError(e), `expected a RegsizeError, got ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a rejection');
}
