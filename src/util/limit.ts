/**
 * The one concurrency limiter: `gate(n)` lets at most `n` tasks run at once and starts the
 * others in the order they asked, as the earlier ones finish. `mapLimit` is the same gate over
 * a list. Shared by everything that bounds work in flight (sizing, the cache, ECR API calls).
 */

/** A task runner that keeps at most `n` (at least 1) tasks running; the rest wait their turn, first come first served. */
export function gate(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = Math.max(1, Math.floor(n) || 1);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a task arriving now cannot jump the queue.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const run = gate(concurrency);
  return Promise.all(items.map((item, i) => run(() => fn(item, i))));
}
