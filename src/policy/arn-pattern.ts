/**
 * ARN patterns for the Resource element and the Arn condition operators. "Each of the six
 * colon-delimited components of the ARN is checked separately and each can include multi-character
 * match wildcards (*) or single-character match wildcards (?)" (IAM User Guide, "IAM JSON policy
 * elements: Condition operators", ARN condition operators; "IAM JSON policy elements: Resource").
 * The sixth component (the resource) keeps any further colons, as in Bedrock model IDs
 * `anthropic.claude-3-haiku-20240307-v1:0`.
 */

import type { ArnTarget } from './context.js';
import { Glob, type GlobToken, STAR } from './glob.js';

/** A compiled ARN pattern: one glob per component, or a pattern that can never match. */
export interface ArnPattern {
  /** Exactly six globs, or null when the pattern is too short to be an ARN and ends without a wildcard. */
  segments: Glob[] | null;
  /**
   * How many leading components have no wildcards (0 to 5), and their text with a colon after each
   * (`arn:aws:bedrock:` for `arn:aws:bedrock:*::…`). An ARN whose text starts with `prefix` has
   * exactly those leading components, since components hold no colons.
   */
  literalComponents: number;
  prefix: string;
}

/** Splits tokens into ARN components at literal colons (the sixth component keeps the rest). */
function splitTokens(tokens: readonly GlobToken[]): GlobToken[][] {
  const segments: GlobToken[][] = [[]];
  for (const token of tokens) {
    if (typeof token !== 'string' || segments.length === 6) {
      (segments[segments.length - 1] as GlobToken[]).push(token);
      continue;
    }
    let start = 0;
    for (let i = 0; i < token.length; i++) {
      if (token.charCodeAt(i) === 58 /* : */ && segments.length < 6) {
        if (i > start) (segments[segments.length - 1] as GlobToken[]).push(token.slice(start, i));
        segments.push([]);
        start = i + 1;
      }
    }
    if (start < token.length) (segments[segments.length - 1] as GlobToken[]).push(token.slice(start));
  }
  return segments;
}

/**
 * Compiles ARN pattern tokens. A pattern with fewer than six components matches only when its last
 * component ends in `*`, which then stands for the missing components too (`arn:aws:s3:*`).
 */
export function compileArnPattern(tokens: readonly GlobToken[]): ArnPattern {
  const parts = splitTokens(tokens);
  if (parts.length < 6) {
    const last = parts[parts.length - 1] as GlobToken[];
    if (last[last.length - 1] !== STAR) return { segments: null, literalComponents: 0, prefix: '' };
    while (parts.length < 6) parts.push([STAR]);
  }
  const segments = parts.map((p) => new Glob(p));
  let literalComponents = 0;
  let prefix = '';
  for (let i = 0; i < 5; i++) {
    const literal = (segments[i] as Glob).literal;
    if (literal === undefined) break;
    prefix += `${literal}:`;
    literalComponents++;
  }
  return { segments, literalComponents, prefix };
}

/** True when the pattern matches the prepared ARN (see arnTarget); never for a non-ARN. */
export function arnMatches(pattern: ArnPattern, target: ArnTarget): boolean {
  const s = pattern.segments;
  if (s === null || !target.isArn) return false;
  const t = target.text;
  const k = pattern.literalComponents;
  if (k > 0 && !t.startsWith(pattern.prefix)) return false;
  // The remaining components are matched in place; the resource and service components differ
  // most often, so they go first.
  return (
    (s[5] as Glob).testRange(t, target.c4 + 1, t.length) &&
    (k > 2 || (s[2] as Glob).testRange(t, target.c1 + 1, target.c2)) &&
    (k > 4 || (s[4] as Glob).testRange(t, target.c3 + 1, target.c4)) &&
    (k > 3 || (s[3] as Glob).testRange(t, target.c2 + 1, target.c3)) &&
    (k > 1 || (s[1] as Glob).testRange(t, target.c0 + 1, target.c1)) &&
    (k > 0 || (s[0] as Glob).testRange(t, 0, target.c0))
  );
}
