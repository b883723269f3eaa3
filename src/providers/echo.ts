/**
 * The built-in default provider: no model, no download, no network. It answers with a fixed
 * sentence that says what it is and repeats the caller's last user message, so that someone testing
 * IAM policies against basalt sees at once that the call got through and what the model received.
 * Everything is deterministic: the same request always gives the same text, stop reason and usage.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { textOf } from './content.js';
import { abortSignalFor, type CallSignal } from './signal.js';
import { countRequestTokens, countTokens, splitTokens } from './tokens.js';
import type { ModelProvider, ModelRequest, ModelResponse, StopReason, StreamEvent, Usage } from './types.js';

/** Options of the echo provider. */
export interface EchoOptions {
  /** Milliseconds to wait before each output token (default 0), to test slow answers and disconnects. */
  delayMs?: number;
}

/** What the echo model says before repeating the user. */
export const ECHO_PREAMBLE = "This is basalt's built-in echo model, not a language model. You said: ";

/** The planned answer: the tokens to emit, why it stopped, and the usage. */
interface Plan {
  pieces: string[];
  stopReason: StopReason;
  usage: Usage;
}

/**
 * The built-in `echo` provider. Its answer is `ECHO_PREAMBLE` followed by the text of the last user
 * message. maxTokens truncates the answer to that many tokens (stop reason `max_tokens`), a stop
 * sequence cuts it just before its first occurrence (`stop_sequence`), whichever comes first, as a
 * model would stop at the first of the two; otherwise the stop reason is `end_turn`. Tokens are
 * tokens.ts approximations.
 */
export class EchoProvider implements ModelProvider {
  readonly kind = 'echo';
  readonly #delayMs: number;

  constructor(options: EchoOptions = {}) {
    this.#delayMs = options.delayMs ?? 0;
  }

  async invoke(req: ModelRequest): Promise<ModelResponse> {
    req.signal.throwIfAborted();
    const plan = this.#plan(req);
    for (let i = 0; i < plan.pieces.length && this.#delayMs > 0; i += 1) await pause(this.#delayMs, req.signal);
    return { text: plan.pieces.join(''), stopReason: plan.stopReason, usage: plan.usage };
  }

  async *stream(req: ModelRequest): AsyncGenerator<StreamEvent> {
    req.signal.throwIfAborted();
    const plan = this.#plan(req);
    for (const piece of plan.pieces) {
      if (this.#delayMs > 0) await pause(this.#delayMs, req.signal);
      req.signal.throwIfAborted();
      yield { type: 'text', text: piece };
    }
    req.signal.throwIfAborted();
    yield { type: 'stop', stopReason: plan.stopReason, usage: plan.usage };
  }

  async countTokens(req: Omit<ModelRequest, 'signal'>): Promise<number> {
    return countRequestTokens(req);
  }

  async close(): Promise<void> {}

  #plan(req: ModelRequest): Plan {
    const full = echoAnswer(req);
    let text = full;
    let stopReason: StopReason = 'end_turn';
    const at = firstStop(full, req.stopSequences ?? []);
    if (at !== undefined) {
      text = full.slice(0, at);
      stopReason = 'stop_sequence';
    }
    let pieces = splitTokens(text);
    // A whitespace-only remainder is one piece but no token: it must not count against maxTokens.
    const tokens = countTokens(text);
    if (req.maxTokens !== undefined && tokens > req.maxTokens) {
      pieces = pieces.slice(0, Math.max(0, req.maxTokens));
      stopReason = 'max_tokens';
    }
    const output = pieces.join('');
    return {
      pieces: pieces.filter((p) => p.length > 0),
      stopReason,
      usage: { inputTokens: countRequestTokens(req), outputTokens: countTokens(output) },
    };
  }
}

/** The echo model's whole answer to a request, before maxTokens and stop sequences apply. */
export function echoAnswer(req: Pick<ModelRequest, 'messages'>): string {
  for (let i = req.messages.length - 1; i >= 0; i -= 1) {
    const m = req.messages[i];
    if (m?.role === 'user') return `${ECHO_PREAMBLE}${textOf(m.content) || '(no text)'}`;
  }
  return `${ECHO_PREAMBLE}(no user message)`;
}

/** Waits, and rejects with the signal's own reason when it is aborted (as the HTTP providers do). */
async function pause(ms: number, signal: CallSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: abortSignalFor(signal) });
  } catch (err) {
    throw signal.aborted ? signal.reason : err;
  }
}

/** Where the earliest of the (non-empty) stop sequences first occurs in the text, if any does. */
function firstStop(text: string, stopSequences: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stopSequences) {
    if (s.length === 0) continue;
    const at = text.indexOf(s);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}
