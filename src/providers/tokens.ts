/**
 * An approximate, deterministic token counter for providers that cannot ask their upstream (echo,
 * and the OpenAI-compatible client, whose API has no counting endpoint). It is NOT any model's
 * tokenizer: a token here is a run of letters and digits (a "word"), a run of punctuation or
 * symbols, or one Chinese or Japanese character (those scripts write words without spaces, so
 * counting runs would undercount them badly). Whitespace is free. Real BPE tokenizers give counts of
 * the same order for English prose and more for rare words and code; use the numbers for quotas and
 * tests, not for billing reconciliation.
 */

import type { ModelRequest } from './types.js';

/**
 * One token, with the whitespace before it: ideographs and kana one character each, then runs of
 * other letters, digits and combining marks, then runs of anything else that is not whitespace.
 */
const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}';
const TOKEN = new RegExp(`\\s*(?:[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+|[^\\s\\p{L}\\p{N}\\p{M}]+)`, 'gu');

/** Counts the approximate tokens of a text (see the module comment for what a token is). */
export function countTokens(text: string): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n += 1;
  return n;
}

/**
 * Splits a text into its approximate tokens, each with the whitespace before it, so that joining the
 * pieces gives the text back exactly (whitespace after the last token goes with the last piece; a
 * text of only whitespace is one piece that counts as no token). Used to stream text token by token.
 */
export function splitTokens(text: string): string[] {
  const pieces: string[] = text.match(TOKEN) ?? [];
  const consumed = pieces.reduce((n, p) => n + p.length, 0);
  if (consumed < text.length) {
    const rest = text.slice(consumed);
    const last = pieces.length - 1;
    if (last >= 0) pieces[last] = `${pieces[last] ?? ''}${rest}`;
    else pieces.push(rest);
  }
  return pieces;
}

/** The approximate input tokens of a request: its system prompts and the text of all its messages. */
export function countRequestTokens(req: Pick<ModelRequest, 'system' | 'messages'>): number {
  let n = 0;
  for (const s of req.system) n += countTokens(s);
  for (const m of req.messages) for (const block of m.content) if ('text' in block) n += countTokens(block.text);
  return n;
}
