/**
 * Reads and validates the parameters of a query-protocol call, collecting every violation into one
 * ValidationError worded as AWS words it: "2 validation errors detected: Value 'x y' at 'userName'
 * failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; …".
 * Patterns and lengths are those of the IAM API Reference "Request Parameters" of each action.
 */

import type { QueryParams } from '../protocols/aws-query.js';
import { WireError } from '../protocols/wire-error.js';
import type { Tag } from '../store/types.js';

/** One string parameter's rule. */
export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** The pattern as AWS documents it (shown in the message), anchored when tested. */
  pattern?: string;
  /**
   * A secret (a password, a web identity token, a SAML assertion): the service model marks its type
   * sensitive, and a violation message names the member without its value.
   */
  sensitive?: boolean;
}

const compiled = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** The member name in AWS's messages: the parameter with a lowercase first letter. */
function memberName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Common IAM rules. */
export const RULES = {
  userName: { required: true, min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  groupName: { required: true, min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  roleName: { required: true, min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  policyName: { required: true, min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  arn: { required: true, min: 20, max: 2048 },
  policyDocument: { required: true, min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  description: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  accessKeyId: { required: true, min: 16, max: 128, pattern: '[\\w]+' },
  versionId: { required: true, pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  password: { required: true, min: 1, max: 128, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', sensitive: true },
  tagKey: { required: true, min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { required: true, min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
} satisfies Record<string, StringRule>;

/**
 * Checks one string value against its rule and records AWS's violation text in `errors` (the
 * smithy validation wording IAM and Bedrock share). Returns the value, or undefined when absent.
 */
export function checkString(
  errors: string[],
  label: string,
  value: string | undefined,
  rule: StringRule,
): string | undefined {
  if (value === undefined) {
    if (rule.required === true)
      errors.push(`Value null at '${label}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  const length = [...value].length;
  const shown = rule.sensitive === true ? 'Value' : `Value '${value}'`;
  if (rule.min !== undefined && length < rule.min) {
    errors.push(
      `${shown} at '${label}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
    );
  } else if (rule.max !== undefined && length > rule.max) {
    errors.push(
      `Value at '${label}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
    );
  } else if (rule.pattern !== undefined && !anchored(rule.pattern).test(value)) {
    errors.push(
      `${shown} at '${label}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern}`,
    );
  }
  return value;
}

/**
 * Reads an integer (from query text, or a JSON number when `value` is a number) and checks it is
 * within [min, max], recording AWS's violation text in `errors`. Undefined when absent or not an
 * integer.
 */
export function checkInt(
  errors: string[],
  label: string,
  value: string | number | undefined,
  min: number,
  max: number,
  required: boolean,
): number | undefined {
  if (value === undefined) {
    if (required) errors.push(`Value null at '${label}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value === 'string' && !/^-?\d{1,15}$/.test(value)) {
    errors.push(`Value '${value}' at '${label}' failed to satisfy constraint: Member must be an integer`);
    return undefined;
  }
  const n = Number(value);
  if (n < min) {
    errors.push(
      `Value '${n}' at '${label}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    );
  } else if (n > max) {
    errors.push(
      `Value '${n}' at '${label}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return n;
}

/** The one message for all collected violations: "N validation error(s) detected: …; …". */
export function validationMessage(errors: readonly string[]): string {
  const n = errors.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`;
}

/** Reads typed parameters; call `done()` to throw the collected ValidationError, if any. */
export class Params {
  private readonly errors: string[] = [];

  /** Wraps decoded query parameters. */
  constructor(readonly raw: QueryParams) {}

  private check(label: string, value: string | undefined, rule: StringRule): string | undefined {
    return checkString(this.errors, label, value, rule);
  }

  /** A string parameter checked against its rule. */
  str(name: string, rule: StringRule & { required: true }): string;
  str(name: string, rule?: StringRule): string | undefined;
  str(name: string, rule: StringRule = {}): string | undefined {
    return this.check(memberName(name), this.raw.get(name), rule) ?? (rule.required === true ? '' : undefined);
  }

  /** An integer parameter within [min, max]. */
  int(name: string, min: number, max: number, required = false): number | undefined {
    return checkInt(this.errors, memberName(name), this.raw.get(name), min, max, required);
  }

  /** A boolean parameter (`true`/`false`, any case). */
  bool(name: string): boolean | undefined {
    const text = this.raw.get(name);
    if (text === undefined) return undefined;
    const lower = text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.errors.push(`Value '${text}' at '${memberName(name)}' failed to satisfy constraint: Member must be a boolean`);
    return undefined;
  }

  /** One of a fixed set of values. */
  oneOf<T extends string>(name: string, values: readonly T[], required = false): T | undefined {
    const text = this.raw.get(name);
    if (text === undefined) {
      if (required)
        this.errors.push(`Value null at '${memberName(name)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if ((values as readonly string[]).includes(text)) return text as T;
    this.errors.push(
      `Value '${text}' at '${memberName(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
    return undefined;
  }

  /** A list parameter `Name.member.1 … Name.member.N`; numbering must be contiguous from 1. */
  list(name: string, rule: StringRule = {}, maxItems = 1000): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const value = this.raw.get(`${name}.member.${i}`);
      if (value === undefined) break;
      if (i > maxItems) {
        this.errors.push(
          `Value at '${memberName(name)}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`,
        );
        break;
      }
      out.push(this.check(`${memberName(name)}.${i}.member`, value, rule) ?? '');
    }
    return out;
  }

  /** A tag list `Tags.member.N.Key` / `.Value`, at most 50 (IAM tag quota). */
  tags(name = 'Tags'): Tag[] {
    const out: Tag[] = [];
    for (let i = 1; ; i++) {
      const key = this.raw.get(`${name}.member.${i}.Key`);
      const value = this.raw.get(`${name}.member.${i}.Value`);
      if (key === undefined && value === undefined) break;
      const label = `${memberName(name)}.${i}.member`;
      out.push({
        Key: this.check(`${label}.key`, key, RULES.tagKey) ?? '',
        Value: this.check(`${label}.value`, value, RULES.tagValue) ?? '',
      });
    }
    return out;
  }

  /** Records a violation worded by the caller (AWS's "Value … at '…' failed to satisfy constraint: …"). */
  violation(text: string): void {
    this.errors.push(text);
  }

  /** Throws the collected violations as one ValidationError (AWS's wording), if there are any. */
  done(): void {
    if (this.errors.length === 0) return;
    throw new WireError('ValidationError', validationMessage(this.errors));
  }
}
