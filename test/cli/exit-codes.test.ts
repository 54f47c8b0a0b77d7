/** src/cli/exit-codes.ts: the documented exit codes (0 ok, 1 failed, 2 usage, 3 budget), from error codes only. */
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/errors.js';
import { ExitCode, exitCodeFor, resultExitCode } from '../../src/cli/exit-codes.js';

describe('cli/exit-codes', () => {
  it('bad input before any network call is 2; a budget exceeded 3', () => {
    for (const code of ['INVALID_REFERENCE', 'INVALID_INPUT', 'CONFIG_INVALID'] as ErrorCode[]) assert.equal(exitCodeFor(code), 2, code);
    assert.equal(exitCodeFor('BUDGET_EXCEEDED'), 3);
  });

  it('every failure of an image or a registry is 1, the new too-large codes included', () => {
    const failures: ErrorCode[] = ['MANIFEST_UNKNOWN', 'UNAUTHORIZED', 'TOOMANYREQUESTS', 'UNSUPPORTED', 'DIGEST_MISMATCH', 'MANIFEST_TOO_LARGE', 'BLOB_TOO_LARGE', 'NETWORK', 'TIMEOUT', 'CREDENTIALS', 'INTERNAL'];
    for (const code of failures) assert.equal(exitCodeFor(code), 1, code);
  });

  it('a code from outside the contract (a stale cache entry) still fails, never exits 0', () => {
    assert.equal(exitCodeFor('SOMETHING_NEW' as ErrorCode), ExitCode.FAILED);
  });

  it('a run: failures win over budgets, then budgets, else 0', () => {
    assert.deepEqual([resultExitCode(true, true), resultExitCode(true, false), resultExitCode(false, true), resultExitCode(false, false)], [1, 1, 3, 0]);
  });
});
