/**
 * A strict JSON reader for policy documents. Unlike JSON.parse it refuses duplicate keys: "Individual
 * elements must not contain multiple instances of the same key" (IAM User Guide, "Grammar of the IAM
 * JSON policy language", Policy grammar notes) — JSON.parse would silently keep the last one, and a
 * policy could say one thing to a reviewer and another to the engine.
 */

/** The outcome of reading: the value, or what was wrong and where (character offset). */
export type JsonResult = { ok: true; value: unknown } | { ok: false; message: string; offset: number };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 64;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.word('true', true);
    if (c === 'f') return this.word('false', false);
    if (c === 'n') return this.word('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    return this.fail(c === undefined ? 'unexpected end of document' : `unexpected character ${JSON.stringify(c)}`);
  }

  word(w: string, v: unknown): unknown {
    if (!this.text.startsWith(w, this.pos)) this.fail(`unexpected text at ${this.pos}`);
    this.pos += w.length;
    return v;
  }

  number(): number {
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    if (found === null) return this.fail('malformed number');
    this.pos += found[0].length;
    return Number(found[0]);
  }

  string(): string {
    const t = this.text;
    let i = this.pos + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= t.length) {
        this.pos = i;
        return this.fail('unterminated string');
      }
      const c = t.charCodeAt(i);
      if (c === 34 /* " */) break;
      if (c < 32) {
        this.pos = i;
        return this.fail('control character in string');
      }
      if (c !== 92 /* \ */) {
        i++;
        continue;
      }
      out += t.slice(runStart, i);
      const e = t[i + 1];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
        out += String.fromCharCode(Number.parseInt(t.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        this.pos = i;
        return this.fail('malformed escape in string');
      }
      runStart = i;
    }
    out += t.slice(runStart, i);
    this.pos = i + 1;
    return out;
  }

  object(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a quoted key');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) {
        this.pos = keyAt;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      seen.add(key);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      const v = this.value(depth + 1);
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }
}

/** Reads a JSON document, refusing duplicate keys and nesting deeper than 64 levels. Never throws. */
export function readJson(text: string): JsonResult {
  const r = new Reader(text);
  try {
    const value = r.value(0);
    r.skipSpace();
    if (r.pos !== text.length) r.fail('unexpected text after the document');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, message: e.message, offset: e.offset };
    throw e;
  }
}
