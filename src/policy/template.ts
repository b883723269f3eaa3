/**
 * Policy variables in Resource and Condition values (IAM User Guide, "IAM policy elements: Variables
 * and tags"): `${aws:username}`, any context key such as `${aws:PrincipalTag/team}`, a default with
 * `${aws:PrincipalTag/team, 'none'}`, and the escapes `${*}`, `${?}`, `${$}` for literal characters.
 * Variables are substituted only in policies with Version 2012-10-17; elsewhere the text is literal.
 *
 * "If there is no value for the key ... the value is effectively null. There is no equal or like value"
 * (section "Policy variables with no value"): an unresolvable variable makes that value match nothing.
 * A multivalued key cannot stand in a variable; it resolves like a missing one (its default applies).
 */

import { type ContextLookup, lowerKey } from './context.js';
import { type GlobToken, wildcardTokens } from './glob.js';

/** One piece of a value: text as written (wildcards live), a literal character, or a variable. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'variable'; key: string; fallback: string | undefined };

/** A value with at least one variable or escape. */
export interface Template {
  parts: readonly TemplatePart[];
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** Parses a value; returns undefined when it holds no `${…}` at all (the common, static case). */
export function parseTemplate(value: string): Template | undefined {
  if (!value.includes('${')) return undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of value.matchAll(VARIABLE)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: value.slice(last, at) });
    const inner = match[1] ?? '';
    if (inner === '*' || inner === '?' || inner === '$') {
      parts.push({ kind: 'literal', text: inner });
    } else {
      const comma = inner.indexOf(',');
      let key = inner;
      let fallback: string | undefined;
      if (comma >= 0) {
        const rest = inner.slice(comma + 1).trim();
        if (rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'")) {
          key = inner.slice(0, comma);
          fallback = rest.slice(1, -1);
        }
      }
      parts.push({ kind: 'variable', key: lowerKey(key.trim()), fallback });
    }
    last = at + match[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < value.length) parts.push({ kind: 'text', text: value.slice(last) });
  return { parts };
}

function variableValue(part: { key: string; fallback: string | undefined }, values: ContextLookup): string | undefined {
  const v = values.get(part.key);
  if (typeof v === 'string') return v;
  return part.fallback;
}

/** True when some variable of the template has no value in the request (and no default). */
export function hasUnresolved(template: Template, values: ContextLookup): boolean {
  for (const part of template.parts) {
    if (part.kind === 'variable' && variableValue(part, values) === undefined) return true;
  }
  return false;
}

/** Resolves a template to plain text (wildcards not interpreted); undefined when a variable has no value. */
export function resolveText(template: Template, values: ContextLookup): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'variable') {
      const v = variableValue(part, values);
      if (v === undefined) return undefined;
      out += v;
    } else {
      out += part.text;
    }
  }
  return out;
}

/** Resolves a template to wildcard tokens: only its written text keeps `*` and `?` live. */
export function resolveTokens(template: Template, values: ContextLookup): GlobToken[] | undefined {
  const tokens: GlobToken[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') {
      for (const t of wildcardTokens(part.text)) tokens.push(t);
    } else if (part.kind === 'literal') {
      tokens.push(part.text);
    } else {
      const v = variableValue(part, values);
      if (v === undefined) return undefined;
      tokens.push(v);
    }
  }
  return tokens;
}

const RESOLVED_CACHE_LIMIT = 256;

/**
 * Resolves a template's variables and returns the compiled form `build` makes of the resolved tokens,
 * memoized per distinct set of variable values (a principal's username and tags rarely change, so
 * the hot path compiles nothing). Undefined when a variable has no value.
 */
export function resolveCompiled<T>(
  template: Template,
  values: ContextLookup,
  cache: Map<string, T>,
  build: (tokens: GlobToken[]) => T,
): T | undefined {
  // INVARIANT: the key is unambiguous (length-prefixed values), so two different value sets never
  // share a compiled pattern.
  let key = '';
  for (const part of template.parts) {
    if (part.kind !== 'variable') continue;
    const v = variableValue(part, values);
    if (v === undefined) return undefined;
    key += `${v.length}:${v}`;
  }
  let hit = cache.get(key);
  if (hit === undefined) {
    const tokens = resolveTokens(template, values);
    if (tokens === undefined) return undefined;
    hit = build(tokens);
    if (cache.size >= RESOLVED_CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}
