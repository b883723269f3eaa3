/**
 * Parsing and validating IAM policy documents. The rules and messages follow what IAM returns for
 * MalformedPolicyDocument (IAM User Guide, "IAM JSON policy element reference" and "IAM JSON policy
 * grammar"); where IAM only says "Syntax errors in policy." the finding's detail says what was wrong.
 */

import type { ConditionEntry, Policy, PolicyKind, PrincipalBlock, Statement, StringList } from './ast.js';
import { PolicyError, type PolicyFinding } from './errors.js';
import { readJson } from './json.js';
import { parseOperator } from './operators.js';

/** The policy language versions IAM accepts ("IAM JSON policy elements: Version"). */
export const VERSIONS = ['2012-10-17', '2008-10-17'] as const;

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const SYNTAX = 'Syntax errors in policy.';
const ACTION_FORMAT = /^(\*|[A-Za-z0-9*?-]+:[^:\s]+)$/;
// A key is PREFIX:NAME; web identity keys have a host as their prefix, dots included
// (`token.actions.githubusercontent.com:sub`, "Available keys for AWS OIDC federation").
const CONDITION_KEY_FORMAT = /^[A-Za-z0-9*?.-]+:.+$/;
const ACCOUNT_ID = /^\d{12}$/;
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,124}$/;
const SID_ALPHANUMERIC = /^[0-9A-Za-z]*$/;

/** Kinds whose statements name principals. */
function needsPrincipal(kind: PolicyKind): boolean {
  return kind === 'resource' || kind === 'trust' || kind === 'rcp';
}

/** Kinds that are IAM policies proper, where IAM's stricter Sid rule applies. */
function isIamKind(kind: PolicyKind): boolean {
  return kind === 'identity' || kind === 'boundary' || kind === 'session' || kind === 'trust';
}

class Findings {
  readonly list: PolicyFinding[] = [];
  add(path: string, message: string, detail: string): void {
    this.list.push({ code: 'MalformedPolicyDocument', message, path, detail });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readStringList(v: unknown, path: string, f: Findings, name: string): StringList | undefined {
  if (typeof v === 'string') return { values: [v], isArray: false };
  if (Array.isArray(v)) {
    const values: string[] = [];
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item !== 'string') {
        f.add(`${path}[${i}]`, SYNTAX, `${name} entries must be strings, got ${JSON.stringify(item)}`);
        return undefined;
      }
      values.push(item);
    }
    return { values, isArray: true };
  }
  f.add(path, SYNTAX, `${name} must be a string or an array of strings, got ${JSON.stringify(v)}`);
  return undefined;
}

function readConditionValues(v: unknown, path: string, f: Findings): StringList | undefined {
  const scalar = (x: unknown): string | undefined =>
    typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
  if (Array.isArray(v)) {
    const values: string[] = [];
    for (let i = 0; i < v.length; i++) {
      const s = scalar(v[i]);
      if (s === undefined) {
        f.add(
          `${path}[${i}]`,
          SYNTAX,
          `condition values must be strings, numbers or booleans, got ${JSON.stringify(v[i])}`,
        );
        return undefined;
      }
      values.push(s);
    }
    return { values, isArray: true };
  }
  const s = scalar(v);
  if (s === undefined) {
    f.add(path, SYNTAX, `condition values must be strings, numbers or booleans, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return { values: [s], isArray: false };
}

function validAwsPrincipal(value: string): boolean {
  if (value === '*' || ACCOUNT_ID.test(value) || UNIQUE_ID.test(value)) return true;
  const m = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):(.+)$/.exec(value);
  if (m === null) return false;
  const resource = m[3] ?? '';
  return (
    resource === 'root' ||
    /^(user|role)\/.+/.test(resource) ||
    /^assumed-role\/[^/]+\/.+/.test(resource) ||
    /^federated-user\/.+/.test(resource)
  );
}

function readPrincipal(v: unknown, path: string, f: Findings): PrincipalBlock | undefined {
  if (v === '*') return { wildcard: true };
  if (!isObject(v)) {
    f.add(path, 'Invalid principal in policy', `Principal must be "*" or an object, got ${JSON.stringify(v)}`);
    return undefined;
  }
  const entries: { type: string; values: StringList }[] = [];
  for (const type of Object.keys(v)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      f.add(`${path}.${type}`, 'Invalid principal in policy', `unknown principal type ${JSON.stringify(type)}`);
      return undefined;
    }
    const values = readStringList(v[type], `${path}.${type}`, f, `Principal ${type}`);
    if (values === undefined) return undefined;
    if (type === 'AWS') {
      for (const value of values.values) {
        if (!validAwsPrincipal(value)) {
          f.add(
            `${path}.${type}`,
            `Invalid principal in policy: "AWS":"${value}"`,
            `not an account ID, ARN or "*": ${value}`,
          );
          return undefined;
        }
      }
    }
    entries.push({ type, values });
  }
  if (entries.length === 0) {
    f.add(path, 'Invalid principal in policy', 'Principal names no principal');
    return undefined;
  }
  return { wildcard: false, entries };
}

function readCondition(v: unknown, path: string, f: Findings): ConditionEntry[] | undefined {
  if (!isObject(v)) {
    f.add(path, SYNTAX, `Condition must be an object, got ${JSON.stringify(v)}`);
    return undefined;
  }
  const entries: ConditionEntry[] = [];
  for (const operator of Object.keys(v)) {
    const opPath = `${path}.${operator}`;
    if (parseOperator(operator) === undefined) {
      f.add(opPath, `Invalid Condition type : ${operator}.`, `unknown condition operator ${JSON.stringify(operator)}`);
      return undefined;
    }
    const block = v[operator];
    if (!isObject(block)) {
      f.add(opPath, SYNTAX, `the ${operator} block must be an object of condition keys, got ${JSON.stringify(block)}`);
      return undefined;
    }
    const keys: { key: string; values: StringList }[] = [];
    for (const key of Object.keys(block)) {
      if (!CONDITION_KEY_FORMAT.test(key)) {
        f.add(
          `${opPath}.${key}`,
          'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
          `condition key ${JSON.stringify(key)} has no service prefix`,
        );
        return undefined;
      }
      const values = readConditionValues(block[key], `${opPath}.${key}`, f);
      if (values === undefined) return undefined;
      keys.push({ key, values });
    }
    entries.push({ operator, keys });
  }
  return entries;
}

function readStatement(v: unknown, path: string, kind: PolicyKind, f: Findings): Statement | undefined {
  if (!isObject(v)) {
    f.add(path, SYNTAX, `a statement must be an object, got ${JSON.stringify(v)}`);
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (!STATEMENT_KEYS.has(key)) {
      f.add(`${path}.${key}`, SYNTAX, `unknown statement element ${JSON.stringify(key)}`);
      return undefined;
    }
  }
  const before = f.list.length;
  const statement: Statement = { effect: 'Allow' };
  if (v.Sid !== undefined) {
    if (typeof v.Sid !== 'string') f.add(`${path}.Sid`, SYNTAX, `Sid must be a string, got ${JSON.stringify(v.Sid)}`);
    else if (isIamKind(kind) && !SID_ALPHANUMERIC.test(v.Sid)) {
      f.add(
        `${path}.Sid`,
        'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
        `Sid ${JSON.stringify(v.Sid)} has characters other than letters and digits`,
      );
    } else statement.sid = v.Sid;
  }
  if (v.Effect === 'Allow' || v.Effect === 'Deny') statement.effect = v.Effect;
  else if (v.Effect === undefined) f.add(`${path}.Effect`, SYNTAX, 'Missing required field Effect');
  else f.add(`${path}.Effect`, SYNTAX, `Effect must be "Allow" or "Deny", got ${JSON.stringify(v.Effect)}`);

  if (v.Action !== undefined && v.NotAction !== undefined) {
    f.add(path, SYNTAX, 'a statement cannot have both Action and NotAction');
  } else if (v.Action === undefined && v.NotAction === undefined) {
    f.add(path, 'Policy statement must contain actions.', 'the statement has neither Action nor NotAction');
  } else {
    const name = v.Action !== undefined ? 'Action' : 'NotAction';
    const list = readStringList(v[name], `${path}.${name}`, f, name);
    if (list !== undefined) {
      if (list.values.length === 0) {
        f.add(`${path}.${name}`, 'Policy statement must contain actions.', `${name} is an empty list`);
      }
      for (const action of list.values) {
        if (!ACTION_FORMAT.test(action)) {
          f.add(
            `${path}.${name}`,
            'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
            `action ${JSON.stringify(action)} is not "*" or "service:action"`,
          );
          break;
        }
      }
      if (name === 'Action') statement.action = list;
      else statement.notAction = list;
    }
  }

  if (v.Resource !== undefined && v.NotResource !== undefined) {
    f.add(path, SYNTAX, 'a statement cannot have both Resource and NotResource');
  } else if (v.Resource === undefined && v.NotResource === undefined) {
    if (kind !== 'trust' && kind !== 'resource') {
      f.add(path, 'Policy statement must contain resources.', 'the statement has neither Resource nor NotResource');
    }
  } else if (kind === 'trust') {
    f.add(path, 'Has prohibited field Resource', 'a role trust policy cannot name resources');
  } else {
    const name = v.Resource !== undefined ? 'Resource' : 'NotResource';
    const list = readStringList(v[name], `${path}.${name}`, f, name);
    if (list !== undefined) {
      if (list.values.length === 0) {
        f.add(`${path}.${name}`, 'Policy statement must contain resources.', `${name} is an empty list`);
      }
      for (const resource of list.values) {
        if (resource !== '*' && !resource.startsWith('arn:') && !resource.startsWith('${')) {
          f.add(
            `${path}.${name}`,
            `Resource ${resource} must be in ARN format or "*".`,
            `resource ${JSON.stringify(resource)} is not an ARN`,
          );
          break;
        }
      }
      if (name === 'Resource') statement.resource = list;
      else statement.notResource = list;
    }
  }

  const hasPrincipal = v.Principal !== undefined || v.NotPrincipal !== undefined;
  if (v.Principal !== undefined && v.NotPrincipal !== undefined) {
    f.add(path, SYNTAX, 'a statement cannot have both Principal and NotPrincipal');
  } else if (hasPrincipal && !needsPrincipal(kind)) {
    f.add(path, 'Policy document should not specify a principal.', `a ${kind} policy cannot name principals`);
  } else if (!hasPrincipal && needsPrincipal(kind)) {
    f.add(path, 'Missing required field Principal', `a ${kind} policy statement must name a Principal`);
  } else if (kind === 'trust' && v.NotPrincipal !== undefined) {
    // "You cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role
    // trust policy" ("AWS JSON policy elements: NotPrincipal", IAM User Guide). Stored before this
    // rule, such a trust policy compiles to nothing allowed (compileStored).
    f.add(`${path}.NotPrincipal`, 'Invalid principal in policy', 'a role trust policy cannot use NotPrincipal');
  } else if (hasPrincipal) {
    const name = v.Principal !== undefined ? 'Principal' : 'NotPrincipal';
    const block = readPrincipal(v[name], `${path}.${name}`, f);
    if (block !== undefined) {
      if (kind === 'rcp' && (name !== 'Principal' || !block.wildcard)) {
        f.add(`${path}.${name}`, 'Invalid principal in policy', 'a resource control policy must use "Principal": "*"');
      }
      if (name === 'Principal') statement.principal = block;
      else statement.notPrincipal = block;
    }
  }

  if (v.Condition !== undefined) {
    const condition = readCondition(v.Condition, `${path}.Condition`, f);
    if (condition !== undefined) statement.condition = condition;
  }
  return f.list.length === before ? statement : undefined;
}

/**
 * Parses a policy document (JSON text or an already parsed value) of the given kind. Returns the
 * policy, or a PolicyError holding every finding. Never throws.
 */
export function parsePolicy(input: unknown, kind: PolicyKind): Policy | PolicyError {
  const f = new Findings();
  let doc: unknown = input;
  if (typeof input === 'string') {
    const read = readJson(input);
    if (!read.ok) {
      f.add('', SYNTAX, `the document is not valid JSON: ${read.message} at character ${read.offset}`);
      return new PolicyError(f.list);
    }
    doc = read.value;
  }
  if (!isObject(doc)) {
    f.add('', SYNTAX, `a policy document must be a JSON object, got ${JSON.stringify(doc) ?? String(doc)}`);
    return new PolicyError(f.list);
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) f.add(key, SYNTAX, `unknown top-level element ${JSON.stringify(key)}`);
  }
  const policy: Policy = { statements: [], statementIsArray: true };
  if (doc.Version !== undefined) {
    if (typeof doc.Version === 'string' && (VERSIONS as readonly string[]).includes(doc.Version)) {
      policy.version = doc.Version;
    } else {
      f.add(
        'Version',
        'The policy failed legacy parsing',
        `Version must be 2012-10-17 or 2008-10-17, got ${JSON.stringify(doc.Version)}`,
      );
    }
  }
  if (doc.Id !== undefined) {
    if (typeof doc.Id === 'string') policy.id = doc.Id;
    else f.add('Id', SYNTAX, `Id must be a string, got ${JSON.stringify(doc.Id)}`);
  }
  const raw = doc.Statement;
  if (raw === undefined) {
    f.add('Statement', SYNTAX, 'Missing required field Statement');
  } else {
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    policy.statementIsArray = Array.isArray(raw);
    const sids = new Set<string>();
    items.forEach((item, i) => {
      const path = Array.isArray(raw) ? `Statement[${i}]` : 'Statement';
      const statement = readStatement(item, path, kind, f);
      if (statement === undefined) return;
      if (statement.sid !== undefined && statement.sid !== '') {
        if (sids.has(statement.sid)) {
          f.add(
            `${path}.Sid`,
            'Statement IDs (SID) in a single policy must be unique.',
            `Sid ${JSON.stringify(statement.sid)} appears twice`,
          );
        }
        sids.add(statement.sid);
      }
      policy.statements.push(statement);
    });
  }
  return f.list.length > 0 ? new PolicyError(f.list) : policy;
}

function printList(list: StringList): string | string[] {
  return list.isArray ? [...list.values] : (list.values[0] ?? '');
}

function printPrincipal(block: PrincipalBlock): unknown {
  if (block.wildcard) return '*';
  const out: Record<string, unknown> = {};
  for (const e of block.entries) out[e.type] = printList(e.values);
  return out;
}

/** Turns a parsed policy back into a JSON-ready document; parsePolicy(printPolicy(p)) equals p. */
export function printPolicy(policy: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (policy.version !== undefined) out.Version = policy.version;
  if (policy.id !== undefined) out.Id = policy.id;
  const statements = policy.statements.map((s) => {
    const o: Record<string, unknown> = {};
    if (s.sid !== undefined) o.Sid = s.sid;
    o.Effect = s.effect;
    if (s.principal) o.Principal = printPrincipal(s.principal);
    if (s.notPrincipal) o.NotPrincipal = printPrincipal(s.notPrincipal);
    if (s.action) o.Action = printList(s.action);
    if (s.notAction) o.NotAction = printList(s.notAction);
    if (s.resource) o.Resource = printList(s.resource);
    if (s.notResource) o.NotResource = printList(s.notResource);
    if (s.condition) {
      const c: Record<string, Record<string, unknown>> = {};
      for (const e of s.condition) {
        const block: Record<string, unknown> = {};
        for (const k of e.keys) block[k.key] = printList(k.values);
        c[e.operator] = block;
      }
      o.Condition = c;
    }
    return o;
  });
  out.Statement = policy.statementIsArray ? statements : statements[0];
  return out;
}
