/**
 * Reads and validates the input of a restJson1 call (Bedrock): members of the JSON body, and the
 * path, query and header values the operation binds. Violations are collected into one
 * ValidationException in the smithy wording IAM also uses ("1 validation error detected: Value 'x'
 * at 'name' failed to satisfy constraint: …"); a member of the wrong JSON type is a
 * SerializationException, as restJson1 services answer a body they cannot deserialize.
 */

import { WireError } from '../protocols/wire-error.js';
import { checkInt, checkString, type StringRule, validationMessage } from './params.js';

/** A Bedrock tag (`{key, value}`, lowercase, unlike IAM's). */
export interface JsonTag {
  key: string;
  value: string;
}

/** Bedrock's tag rules ("Tag", Amazon Bedrock API Reference). */
const TAG_KEY: StringRule = { required: true, min: 1, max: 128, pattern: '[a-zA-Z0-9\\s._:/=+@-]*' };
const TAG_VALUE: StringRule = { required: true, min: 0, max: 256, pattern: '[a-zA-Z0-9\\s._:/=+@-]*' };

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Reads typed members of a JSON object; `done()` throws the collected ValidationException. */
export class JsonParams {
  private readonly errors: string[] = [];

  /** Wraps a parsed body (anything that is not an object is a SerializationException). */
  constructor(readonly body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new WireError(
        'SerializationException',
        `Expected a JSON object as the request body, got ${typeName(body)}`,
      );
    }
  }

  private get(name: string): unknown {
    return (this.body as Record<string, unknown>)[name];
  }

  private typed<T>(name: string, want: string, ok: (v: unknown) => v is T): T | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return undefined;
    if (!ok(v)) throw new WireError('SerializationException', `Member '${name}' must be ${want}, got ${typeName(v)}`);
    return v;
  }

  /** A string member checked against its rule. */
  str(name: string, rule: StringRule & { required: true }): string;
  str(name: string, rule?: StringRule): string | undefined;
  str(name: string, rule: StringRule = {}): string | undefined {
    const v = this.typed(name, 'a string', (x): x is string => typeof x === 'string');
    return checkString(this.errors, name, v, rule) ?? (rule.required === true ? '' : undefined);
  }

  /** A value bound from the path, query string or a header, checked against its rule. */
  bound(label: string, value: string | undefined, rule: StringRule & { required: true }): string;
  bound(label: string, value: string | undefined, rule?: StringRule): string | undefined;
  bound(label: string, value: string | undefined, rule: StringRule = {}): string | undefined {
    return checkString(this.errors, label, value, rule) ?? (rule.required === true ? '' : undefined);
  }

  /** An integer member (or bound value when `text` is given) within [min, max]. */
  int(name: string, min: number, max: number, required = false, text?: string): number | undefined {
    const value =
      text ?? this.typed(name, 'an integer', (x): x is number => typeof x === 'number' && Number.isInteger(x));
    return checkInt(this.errors, name, value, min, max, required);
  }

  /** One of a fixed set of values (a member, or a bound value when `text` is given). */
  oneOf<T extends string>(name: string, values: readonly T[], required = false, text?: string): T | undefined {
    const v = text ?? this.typed(name, 'a string', (x): x is string => typeof x === 'string');
    if (v === undefined) {
      if (required) this.errors.push(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if ((values as readonly string[]).includes(v)) return v as T;
    this.errors.push(
      `Value '${v}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
    return undefined;
  }

  /** An object member, unvalidated inside (the operation reads it further). */
  obj(name: string, required = false): Record<string, unknown> | undefined {
    const v = this.typed(
      name,
      'an object',
      (x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x),
    );
    if (v === undefined && required) {
      this.errors.push(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
    }
    return v;
  }

  /** An array member of strings, each checked against `rule`, at most `maxItems`. */
  strings(name: string, rule: StringRule = {}, maxItems = 1000, required = false): string[] | undefined {
    const v = this.typed(name, 'an array', (x): x is unknown[] => Array.isArray(x));
    if (v === undefined) {
      if (required) this.errors.push(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (v.length > maxItems) {
      this.errors.push(
        `Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`,
      );
    }
    return v.map((item, i) => {
      if (typeof item !== 'string') {
        throw new WireError('SerializationException', `Member '${name}.${i + 1}' must be a string`);
      }
      return checkString(this.errors, `${name}.${i + 1}.member`, item, rule) ?? '';
    });
  }

  /** A Bedrock tag list `[{key, value}]`, at most 200 ("TagList", Amazon Bedrock API Reference). */
  tags(name = 'tags', required = false): JsonTag[] {
    const v = this.typed(name, 'an array', (x): x is unknown[] => Array.isArray(x));
    if (v === undefined) {
      if (required) this.errors.push(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
      return [];
    }
    if (v.length > 200) {
      this.errors.push(
        `Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to 200`,
      );
    }
    return v.map((item, i) => {
      const t = new JsonParams(item);
      const label = `${name}.${i + 1}.member`;
      const raw = item as Record<string, unknown>;
      if (raw.key !== undefined && typeof raw.key !== 'string')
        throw new WireError('SerializationException', `Member '${label}.key' must be a string`);
      if (raw.value !== undefined && typeof raw.value !== 'string')
        throw new WireError('SerializationException', `Member '${label}.value' must be a string`);
      const key = checkString(this.errors, `${label}.key`, raw.key as string | undefined, TAG_KEY) ?? '';
      const value = checkString(this.errors, `${label}.value`, raw.value as string | undefined, TAG_VALUE) ?? '';
      t.done();
      return { key, value };
    });
  }

  /** Records a violation worded by the caller. */
  violation(text: string): void {
    this.errors.push(text);
  }

  /** Throws the collected violations as one ValidationException, if there are any. */
  done(): void {
    if (this.errors.length > 0) throw new WireError('ValidationException', validationMessage(this.errors));
  }
}
