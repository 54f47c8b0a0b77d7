/**
 * Slow fixtures (builds, images made by real tools) started when mocha loads the spec files
 * that need them, rather than when their tests begin: they run on the machine's second core
 * while the in-process tests before them run on the first, and each test awaits its own.
 * One job at a time, in the order the spec files load (mocha sorts them by path, the order
 * their tests run in), so the background never takes more than one core.
 */
let tail: Promise<unknown> = Promise.resolve();

/** Runs `job` after the jobs queued before it, whether they succeeded or not. */
export function inBackground<T>(job: () => Promise<T>): Promise<T> {
  const result = tail.then(job, job);
  tail = result.catch(() => undefined);
  // Handled here too: a failed job is not an unhandled rejection before its test awaits it.
  result.catch(() => undefined);
  return result;
}
