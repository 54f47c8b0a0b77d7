/**
 * Runs an oclif command class in this process, as `regsize <command> ...argv` would, so that
 * nock (which intercepts in-process only) can stand in for AWS. Captures stdout, stderr and
 * the exit code the command set.
 */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface InProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

interface Runnable {
  run(argv?: string[], opts?: string): Promise<unknown>;
}

export async function runInProcess(command: Runnable, argv: string[]): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const savedExit = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  let exitCode: number;
  try {
    await command.run(argv, ROOT);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    exitCode = Number(process.exitCode ?? 0);
    process.exitCode = savedExit;
  }
  return { stdout, stderr, exitCode };
}
