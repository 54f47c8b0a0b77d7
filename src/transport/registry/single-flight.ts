/**
 * One promise per key for the life of a client: concurrent askers of the same digest share one
 * request, later askers get the settled answer, and a failure is forgotten (so a retry asks
 * again rather than replaying the error). Digests name immutable content, so a success never
 * needs to be forgotten.
 */
export class SingleFlight<V> {
  private readonly flights = new Map<string, Promise<V>>();

  has(key: string): boolean {
    return this.flights.has(key);
  }

  /** The shared answer for `key`, running `fn` only when no one has asked yet. */
  run(key: string, fn: () => Promise<V>): Promise<V> {
    let p = this.flights.get(key);
    if (!p) {
      p = fn();
      this.remember(key, p);
    }
    return p;
  }

  /** Records an answer found another way (a GET by tag that turned out to be this digest). */
  settle(key: string, value: V): void {
    if (!this.flights.has(key)) this.flights.set(key, Promise.resolve(value));
  }

  private remember(key: string, p: Promise<V>): void {
    this.flights.set(key, p);
    p.catch(() => {
      if (this.flights.get(key) === p) this.flights.delete(key);
    });
  }
}
