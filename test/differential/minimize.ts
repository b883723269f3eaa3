/**
 * Greedy reduction of a JSON value while a predicate keeps holding (a small delta debugger).
 *
 * fast-check shrinks generated values structurally, but cases built with `chain` shrink poorly; this
 * reducer works on the finished JSON case instead: it repeatedly tries to delete an object member,
 * delete an array element, or replace a one-element array by its element, and keeps the first
 * change under which the predicate still holds, until no change does.
 */

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Every value one reduction step away from `value`, largest reductions first. */
function* candidates(value: Json): Generator<Json> {
  if (Array.isArray(value)) {
    if (value.length === 1) yield value[0] as Json;
    for (let i = 0; i < value.length; i++) yield [...value.slice(0, i), ...value.slice(i + 1)];
    for (let i = 0; i < value.length; i++) {
      for (const smaller of candidates(value[i] as Json)) yield [...value.slice(0, i), smaller, ...value.slice(i + 1)];
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    for (const key of keys) {
      const { [key]: _removed, ...rest } = value;
      yield rest;
    }
    for (const key of keys) {
      for (const smaller of candidates(value[key] as Json)) yield { ...value, [key]: smaller };
    }
  }
}

/**
 * Reduce `value` to a locally minimal value for which `holds` is still true. `holds(value)` must be
 * true on entry; `maxChecks` bounds the work.
 */
export async function minimizeJson<T extends Json>(
  value: T,
  holds: (candidate: T) => Promise<boolean>,
  maxChecks = 5_000,
): Promise<T> {
  let current = value;
  let checks = 0;
  let progress = true;
  while (progress && checks < maxChecks) {
    progress = false;
    for (const candidate of candidates(current)) {
      if (++checks > maxChecks) break;
      if (await holds(candidate as T)) {
        current = candidate as T;
        progress = true;
        break;
      }
    }
  }
  return current;
}
