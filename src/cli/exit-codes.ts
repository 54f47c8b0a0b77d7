/**
 * The documented exit codes, decided in this one place from error codes, never from messages.
 *   0 ok, 1 some image failed, 2 usage or invalid input, 3 budget exceeded.
 * When images fail and a budget is also exceeded, 1 wins: an image that could not be sized
 * may be over budget too, so the run proves nothing about the budget.
 */
import type { ErrorCode } from '../errors.js';

export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2, BUDGET: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every error code's exit code, spelled out: a Record over ErrorCode, so a new code does not
 * compile until it is given one here. Usage: the input was wrong before any network call.
 */
const EXIT_CODES: Readonly<Record<ErrorCode, ExitCode>> = {
  MANIFEST_UNKNOWN: ExitCode.FAILED,
  NAME_UNKNOWN: ExitCode.FAILED,
  BLOB_UNKNOWN: ExitCode.FAILED,
  UNAUTHORIZED: ExitCode.FAILED,
  DENIED: ExitCode.FAILED,
  TOOMANYREQUESTS: ExitCode.FAILED,
  UNSUPPORTED: ExitCode.FAILED,
  INVALID_REFERENCE: ExitCode.USAGE,
  INVALID_INPUT: ExitCode.USAGE,
  PLATFORM_NOT_FOUND: ExitCode.FAILED,
  DIGEST_MISMATCH: ExitCode.FAILED,
  UNSUPPORTED_MANIFEST: ExitCode.FAILED,
  MANIFEST_INVALID: ExitCode.FAILED,
  MANIFEST_TOO_LARGE: ExitCode.FAILED,
  BLOB_TOO_LARGE: ExitCode.FAILED,
  RATE_LIMITED: ExitCode.FAILED,
  REGISTRY_ERROR: ExitCode.FAILED,
  NETWORK: ExitCode.FAILED,
  TIMEOUT: ExitCode.FAILED,
  INSECURE: ExitCode.FAILED,
  CONFIG_INVALID: ExitCode.USAGE,
  CREDENTIALS: ExitCode.FAILED,
  AWS: ExitCode.FAILED,
  BUDGET_EXCEEDED: ExitCode.BUDGET,
  PUSH_FAILED: ExitCode.FAILED,
  INTERNAL: ExitCode.FAILED,
};

export function exitCodeFor(code: ErrorCode): ExitCode {
  // A code from outside the type (a cast, a stale cache entry) still fails, never exits 0.
  return EXIT_CODES[code] ?? ExitCode.FAILED;
}

/** The exit code of a run that produced results: failures, then budgets. */
export function resultExitCode(anyFailed: boolean, anyOverBudget: boolean): ExitCode {
  if (anyFailed) return ExitCode.FAILED;
  if (anyOverBudget) return ExitCode.BUDGET;
  return ExitCode.OK;
}
