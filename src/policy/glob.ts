/**
 * Wildcard patterns as IAM uses them: `*` matches any run of characters (also none), `?` exactly one.
 * A pattern is built from tokens so that characters which came from `${*}`, `${?}` or from a policy
 * variable's value stay literal (IAM User Guide, "IAM policy elements: Variables and tags").
 */

/** A wildcard token: any run of characters. */
export const STAR = 0;
/** A wildcard token: exactly one character. */
export const QMARK = 1;
/** A pattern token: literal text, or a wildcard. */
export type GlobToken = string | typeof STAR | typeof QMARK;

interface Segment {
  text: string;
  /** Positions in `text` that are `?` wildcards; null when the segment has none. */
  any: Uint8Array | null;
}

/** Splits text into tokens, reading `*` and `?` as wildcards. */
export function wildcardTokens(text: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */) {
      if (i > start) tokens.push(text.slice(start, i));
      tokens.push(c === 42 ? STAR : QMARK);
      start = i + 1;
    }
  }
  if (start < text.length) tokens.push(text.slice(start));
  return tokens;
}

/**
 * A compiled wildcard pattern. Matching is linear in the input for patterns without `*` and
 * allocates nothing; segments between stars are found leftmost-first, which is exact for globs.
 */
export class Glob {
  /** The kind decides the fast path: 0 exact, 1 everything, 2 prefix, 3 general. */
  private readonly kind: 0 | 1 | 2 | 3;
  private readonly exact: string;
  private readonly segments: Segment[];
  private readonly anchoredStart: boolean;
  private readonly anchoredEnd: boolean;
  private readonly minLength: number;

  constructor(tokens: readonly GlobToken[]) {
    const segments: Segment[] = [];
    let text = '';
    let any: number[] = [];
    let stars = 0;
    let anchoredStart = true;
    let anchoredEnd = true;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === STAR) {
        if (i === 0) anchoredStart = false;
        if (i === tokens.length - 1) anchoredEnd = false;
        if (text.length > 0) segments.push(segment(text, any));
        text = '';
        any = [];
        stars++;
      } else if (token === QMARK) {
        any.push(text.length);
        text += '?';
      } else if (token !== undefined && token.length > 0) {
        text += token;
      }
    }
    if (text.length > 0) segments.push(segment(text, any));
    let minLength = 0;
    for (const s of segments) minLength += s.text.length;
    this.segments = segments;
    this.anchoredStart = anchoredStart;
    this.anchoredEnd = anchoredEnd;
    this.minLength = minLength;
    const onlyLiteral = this.segments.length <= 1 && this.segments.every((s) => s.any === null);
    if (stars === 0 && onlyLiteral) {
      this.kind = 0;
      this.exact = this.segments[0]?.text ?? '';
    } else if (stars > 0 && this.segments.length === 0) {
      this.kind = 1;
      this.exact = '';
    } else if (stars > 0 && onlyLiteral && anchoredStart && !anchoredEnd) {
      this.kind = 2;
      this.exact = this.segments[0]?.text ?? '';
    } else {
      this.kind = 3;
      this.exact = '';
    }
  }

  /** The text this pattern matches when it has no wildcards; undefined otherwise. */
  get literal(): string | undefined {
    return this.kind === 0 ? this.exact : undefined;
  }

  /** Compiles text where `*` and `?` are wildcards. */
  static fromText(text: string): Glob {
    return new Glob(wildcardTokens(text));
  }

  /** True when the pattern matches all of `s`. */
  test(s: string): boolean {
    switch (this.kind) {
      case 0:
        return s === this.exact;
      case 1:
        return true;
      case 2:
        return s.startsWith(this.exact);
      default:
        return this.general(s, 0, s.length);
    }
  }

  /** True when the pattern matches `s` from index `from` up to (not including) `to`, without slicing. */
  testRange(s: string, from: number, to: number): boolean {
    switch (this.kind) {
      case 0:
        return to - from === this.exact.length && s.startsWith(this.exact, from);
      case 1:
        return true;
      case 2:
        return to - from >= this.exact.length && s.startsWith(this.exact, from);
      default:
        return this.general(s, from, to);
    }
  }

  private general(s: string, from: number, to: number): boolean {
    if (to - from < this.minLength) return false;
    const segments = this.segments;
    const n = segments.length;
    if (n === 0) return this.anchoredStart && this.anchoredEnd ? to === from : true;
    let pos = from;
    let first = 0;
    let last = n;
    if (this.anchoredStart) {
      const seg = segments[0] as Segment;
      if (!segmentAt(seg, s, from, to)) return false;
      if (n === 1 && this.anchoredEnd) return to - from === seg.text.length;
      pos = from + seg.text.length;
      first = 1;
    }
    let endLimit = to;
    if (this.anchoredEnd && last > first) {
      const seg = segments[n - 1] as Segment;
      const at = to - seg.text.length;
      if (at < pos || !segmentAt(seg, s, at, to)) return false;
      endLimit = at;
      last = n - 1;
    }
    for (let i = first; i < last; i++) {
      const seg = segments[i] as Segment;
      const found = findSegment(seg, s, pos, endLimit);
      if (found < 0) return false;
      pos = found + seg.text.length;
    }
    return true;
  }
}

function segment(text: string, anyPositions: readonly number[]): Segment {
  if (anyPositions.length === 0) return { text, any: null };
  const any = new Uint8Array(text.length);
  for (const p of anyPositions) any[p] = 1;
  return { text, any };
}

function segmentAt(seg: Segment, s: string, at: number, to: number): boolean {
  const text = seg.text;
  if (at + text.length > to) return false;
  const any = seg.any;
  if (any === null) return s.startsWith(text, at);
  for (let i = 0; i < text.length; i++) {
    if (any[i] === 1) continue;
    if (text.charCodeAt(i) !== s.charCodeAt(at + i)) return false;
  }
  return true;
}

function findSegment(seg: Segment, s: string, from: number, limit: number): number {
  const len = seg.text.length;
  if (seg.any === null) {
    const at = s.indexOf(seg.text, from);
    return at >= 0 && at + len <= limit ? at : -1;
  }
  for (let at = from; at + len <= limit; at++) {
    if (segmentAt(seg, s, at, limit)) return at;
  }
  return -1;
}
