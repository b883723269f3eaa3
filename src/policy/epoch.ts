/**
 * The evaluation epoch: a counter that evaluate() advances once per request. Compiled conditions and
 * resource patterns are shared between policies that spell them the same way (interned at compile
 * time), and each remembers its last result with the epoch it was computed in. Within one
 * evaluation the request cannot change, so a result with the current epoch is the result.
 */

// INVARIANT: the epoch never repeats. It counts up as a double (exact to 2^53, centuries at a million
// evaluations a second) and never wraps: a wrapping counter would make a memo written exactly one
// wrap earlier look current, and hand a later request another request's result. 0 means "never".
// Held in an object field, which V8 updates in place once it holds doubles.
const clock = { epoch: 0 };

/** Starts a new evaluation; every memo from earlier evaluations becomes stale. */
export function nextEpoch(): number {
  clock.epoch += 1;
  return clock.epoch;
}

/** The current evaluation's epoch. */
export function currentEpoch(): number {
  return clock.epoch;
}

/** A bounded intern table: returns the shared object for a key, making it with `make` the first time. */
export class InternTable<T> {
  private readonly map = new Map<string, T>();

  constructor(private readonly limit: number) {}

  /** The shared object for `key`; once the table is full, new keys get unshared objects. */
  get(key: string, make: () => T): T {
    const found = this.map.get(key);
    if (found !== undefined) return found;
    const made = make();
    if (this.map.size < this.limit) this.map.set(key, made);
    return made;
  }
}
