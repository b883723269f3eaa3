/**
 * Reading the text out of Converse content blocks ("ContentBlock", Amazon Bedrock API Reference) for
 * the providers whose upstream takes plain text.
 */

import { type ContentBlock, ProviderError } from './types.js';

/** The text of a message's content: its text blocks joined by newlines; other blocks have no text. */
export function textOf(content: readonly ContentBlock[]): string {
  const texts: string[] = [];
  for (const block of content) if ('text' in block) texts.push(block.text);
  return texts.join('\n');
}

/**
 * The text of a message for a provider that sends only text upstream. Any other block (image, tool
 * use, tool result) is refused with ValidationException rather than silently dropped, so the caller
 * learns that the model never saw it.
 */
export function requireText(content: readonly ContentBlock[], providerKind: string): string {
  for (const block of content) {
    if (!('text' in block)) {
      const kind = Object.keys(block)[0] ?? 'unknown';
      throw new ProviderError(
        'ValidationException',
        `The ${providerKind} model provider accepts only text content blocks, but the request has a ${kind} block`,
      );
    }
  }
  return textOf(content);
}
