/**
 * The cancellation signal a model call receives: the part of AbortSignal the providers use. The
 * server hands providers its own light implementation (one per model call) rather than an
 * AbortSignal, because on Node.js 20 creating an AbortSignal costs about 4 µs and every one of them
 * survives the young-generation collection into the old generation (measured in bench/README.md),
 * which lengthens each scavenge pause. A real AbortSignal satisfies this interface as it is.
 */

/** A listener as EventTarget takes it: a function or an object with handleEvent. */
export type AbortListener = ((event: Event) => void) | { handleEvent(event: Event): void };

/** What providers may do with a call's signal. */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: AbortListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

/**
 * A real AbortSignal that aborts with `signal` (the signal itself when it is one): for the few APIs
 * that insist on an AbortSignal (timers/promises, the AWS SDK, undici's streaming requests).
 */
export function abortSignalFor(signal: CallSignal): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

/**
 * A signal aborted by calling `abort`, as an AbortController's: listeners run once, in the order
 * added; one added after the abort never runs (EventTarget's behaviour). No listener is expected to
 * throw; one that does stops the rest and the error reaches whoever called `abort`.
 */
export class LightSignal implements CallSignal {
  #aborted = false;
  #reason: unknown;
  #listeners: AbortListener[] | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  addEventListener(type: 'abort', listener: AbortListener): void {
    if (type !== 'abort' || this.#aborted) return;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: AbortListener): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  }

  /** Aborts with AbortController's default reason (an AbortError DOMException) unless one is given. */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    const event = new Event('abort');
    for (const listener of listeners) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  }
}
