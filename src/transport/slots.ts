/**
 * Requests in flight per origin, at most as many as the dispatcher keeps connections to it.
 * A request waits for its slot here, before its timer starts, instead of in undici's queue with
 * its timer already running: `--platform all` on an index of 1000 platforms queued 1000
 * manifest GETs behind 32 connections and every late one "timed out" unsent (#11).
 */
export class OriginSlots {
  private readonly origins = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly perOrigin: number) {}

  /** Resolves once a slot of `origin` is free; call the returned function to give it back. */
  async acquire(origin: string): Promise<() => void> {
    let o = this.origins.get(origin);
    if (!o) this.origins.set(origin, (o = { running: 0, waiting: [] }));
    const state = o;
    if (state.running >= this.perOrigin) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = state.waiting.shift();
      if (next) next();
      else if (--state.running === 0) this.origins.delete(origin);
    };
  }
}
