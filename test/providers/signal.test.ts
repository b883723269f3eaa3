// The light cancellation signal the server hands providers behaves as an AbortController's signal
// where providers rely on it: listeners run once on abort, removed ones never, late ones never; the
// reason is an AbortError; a real AbortSignal made from it aborts with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortSignalFor, LightSignal } from '../../src/providers/signal.ts';

test('listeners run once, in order; removed and late listeners never run', () => {
  const signal = new LightSignal();
  const calls: string[] = [];
  const removed = () => calls.push('removed');
  const object = { handleEvent: (e: Event) => calls.push(`object:${e.type}`) };
  signal.addEventListener('abort', (e) => calls.push(`function:${e.type}`));
  signal.addEventListener('abort', object);
  signal.addEventListener('abort', object);
  signal.addEventListener('abort', removed);
  signal.removeEventListener('abort', removed);
  assert.equal(signal.aborted, false);
  signal.throwIfAborted();
  signal.abort();
  signal.abort();
  signal.addEventListener('abort', () => calls.push('late'));
  assert.deepEqual(calls, ['function:abort', 'object:abort']);
  assert.equal(signal.aborted, true);
  assert.ok(signal.reason instanceof DOMException);
  assert.equal((signal.reason as DOMException).name, 'AbortError');
  assert.throws(() => signal.throwIfAborted(), { name: 'AbortError' });
});

test('a real AbortSignal made from it aborts with it, before and after', async () => {
  const live = new LightSignal();
  const real = abortSignalFor(live);
  const waiting = sleep(10_000, undefined, { signal: real });
  live.abort(new Error('client gone'));
  await assert.rejects(waiting, { name: 'AbortError' });
  assert.equal(real.aborted, true);
  assert.equal((real.reason as Error).message, 'client gone');

  const already = new LightSignal();
  already.abort();
  assert.equal(abortSignalFor(already).aborted, true);
  const native = new AbortController().signal;
  assert.equal(abortSignalFor(native), native, 'an AbortSignal is used as it is');
});
