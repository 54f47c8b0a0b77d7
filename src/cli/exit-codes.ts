/**
 * The documented exit codes, decided in this one place from error codes, never from messages.
 *   0 ok, 1 some image failed, 2 usage or invalid input, 3 budget exceeded.
 * When images fail and a budget is also exceeded, 1 wins: an image that could not be sized
 * may be over budget too, so the run proves nothing about the budget.
 */
import type { ErrorCode } from '../errors.js';

export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2, BUDGET: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const USAGE_CODES = new Set<ErrorCode>(['INVALID_REFERENCE', 'INVALID_INPUT', 'CONFIG_INVALID']);

export function exitCodeFor(code: ErrorCode): ExitCode {
  if (USAGE_CODES.has(code)) return ExitCode.USAGE;
  if (code === 'BUDGET_EXCEEDED') return ExitCode.BUDGET;
  return ExitCode.FAILED;
}

/** The exit code of a run that produced results: failures, then budgets. */
export function resultExitCode(anyFailed: boolean, anyOverBudget: boolean): ExitCode {
  if (anyFailed) return ExitCode.FAILED;
  if (anyOverBudget) return ExitCode.BUDGET;
  return ExitCode.OK;
}
