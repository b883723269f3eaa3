/**
 * Compiling a parsed policy once into matchers, so that evaluation never re-reads policy text:
 * actions become lowercase globs, resources ARN patterns, principals sets, conditions prepared values.
 * A compiled policy remembers, per action, which of its statements name that action.
 */

import { type ArnPattern, arnMatches, compileArnPattern } from './arn-pattern.js';
import type { Policy, PolicyKind, PrincipalBlock, Statement } from './ast.js';
import { type CompiledCondition, compileConditions } from './condition.js';
import { ACTION_ID_LIMIT, type ContextLookup, type RequestContext, type RequestPrincipal } from './context.js';
import { currentEpoch, InternTable } from './epoch.js';
import { PolicyError } from './errors.js';
import { Glob, type GlobToken, STAR, wildcardTokens } from './glob.js';
import { parsePolicy } from './parse.js';
import { parseTemplate, resolveCompiled, type Template } from './template.js';

/** A Resource entry: everything, a static ARN pattern, or one with policy variables. */
type ResourceMatcher =
  | { kind: 'all' }
  | ({ kind: 'static' } & StaticResource)
  | { kind: 'template'; template: Template; cache: Map<string, StaticResource>; guard: StaticResource | undefined };

interface StaticResource {
  arn: ArnPattern;
  whole: Glob;
  /** Memo of the last evaluation that matched this pattern (see epoch.ts). */
  lastEpoch: number;
  lastResult: boolean;
}

function staticResource(tokens: GlobToken[]): StaticResource {
  return { arn: compileArnPattern(tokens), whole: new Glob(tokens), lastEpoch: 0, lastResult: false };
}

/** Resource patterns spelled alike share one compiled object, and so one memo per evaluation. */
const internedResources = new InternTable<{ kind: 'static' } & StaticResource>(65536);

/** The principals one Principal or NotPrincipal element names. */
export interface PrincipalSet {
  wildcard: boolean;
  arns: Set<string>;
  accounts: Set<string>;
  /** `account/roleName` of each role ARN, to match sessions of that role (unbound policies only). */
  roles: Set<string>;
  /** Unique IDs (AIDA…, AROA…) of the users and roles a bound policy names (see PrincipalIds). */
  ids: Set<string>;
  others: Set<string>;
}

/**
 * The unique ID each IAM user or role ARN in a stored resource-based policy named when it was saved.
 * IAM User Guide, "AWS JSON policy elements: Principal": "If your Principal element in a role trust
 * policy contains an ARN that points to a specific IAM role, then that ARN transforms to the role's
 * unique principal ID when you save the policy. This helps mitigate the risk of someone escalating
 * their privileges by removing and recreating the role." A policy compiled with this map is bound:
 * its user and role ARNs match only the principal with that ID, and an ARN missing from the map
 * matches nobody. Without the map (simulation, analysis) the ARNs match by name.
 */
export type PrincipalIds = ReadonlyMap<string, string>;

/**
 * How a resource-based policy statement's Principal matched the caller: 0 not at all; 1 directly, by
 * the caller's own ARN or by `*`; 2 by the role ARN of the caller's assumed-role session; 3 by the
 * caller's account (delegation to the account's identity-based policies).
 */
export type PrincipalMatch = 0 | 1 | 2 | 3;
export const MATCH_NONE = 0;
export const MATCH_DIRECT = 1;
export const MATCH_ROLE = 2;
export const MATCH_ACCOUNT = 3;

/** One compiled statement. */
export interface CompiledStatement {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  isDeny: boolean;
  actions: Glob[];
  notAction: boolean;
  /** Null when the statement has no Resource element (trust and some resource policies). */
  resources: ResourceMatcher[] | null;
  notResource: boolean;
  principals: PrincipalSet | null;
  notPrincipal: boolean;
  conditions: CompiledCondition[];
}

/** A compiled policy: its statements and a per-action memo of the statements that name the action. */
export class CompiledPolicy {
  readonly kind: PolicyKind;
  readonly source: Policy;
  readonly statements: readonly CompiledStatement[];
  private readonly byAction: (readonly CompiledStatement[] | undefined)[] = [];

  constructor(kind: PolicyKind, source: Policy, statements: CompiledStatement[]) {
    this.kind = kind;
    this.source = source;
    this.statements = statements;
  }

  /**
   * The statements whose Action / NotAction applies to the (lowercased) action, Deny statements
   * first (so a caller that only needs the decision can stop at the first Allow). Memoized per
   * action id (see actionId in context.ts).
   */
  statementsFor(actionLower: string, id: number): readonly CompiledStatement[] {
    // INVARIANT: no closure in this function. A parameter captured by a closure makes V8 allocate
    // a context object on every call, hit or miss (bench/: 35 bytes per call, per policy).
    const cached = this.byAction[id];
    if (cached !== undefined) return cached;
    const list = applicableStatements(this.statements, actionLower);
    if (id < ACTION_ID_LIMIT) this.byAction[id] = list;
    return list;
  }
}

/**
 * The statements whose Action / NotAction applies to an action, Deny statements first and, within
 * each effect, the cheapest first: without collected statements, evaluation stops at the first
 * matching Deny, or at the first matching Allow when no Deny matched.
 */
function applicableStatements(statements: readonly CompiledStatement[], actionLower: string): CompiledStatement[] {
  const applicable = statements.filter((s) => actionMatches(s, actionLower));
  const byCost = (a: CompiledStatement, b: CompiledStatement) => statementCost(a) - statementCost(b);
  return [...applicable.filter((s) => s.isDeny).sort(byCost), ...applicable.filter((s) => !s.isDeny).sort(byCost)];
}

/** A rough cost of matching a statement: its conditions, and its resource patterns unless `*`. */
function statementCost(s: CompiledStatement): number {
  const resources = s.resources === null || s.resources.every((r) => r.kind === 'all') ? 0 : 1;
  return s.conditions.length * 2 + resources;
}

function actionMatches(s: CompiledStatement, actionLower: string): boolean {
  let any = false;
  for (const g of s.actions) {
    if (g.test(actionLower)) {
      any = true;
      break;
    }
  }
  return s.notAction ? !any : any;
}

function compileResource(text: string, variables: boolean): ResourceMatcher {
  if (text === '*') return { kind: 'all' };
  const template = variables ? parseTemplate(text) : undefined;
  if (template) return { kind: 'template', template, cache: new Map(), guard: templateGuard(template) };
  return internedResources.get(text, () => ({ kind: 'static', ...staticResource(wildcardTokens(text)) }));
}

/**
 * A static pattern that every resolution of the template matches within: each variable becomes `*`.
 * INVARIANT: sound only when all variables lie in the resource component (after five literal colons),
 * where a value's own colons cannot shift component boundaries; otherwise there is no guard.
 */
function templateGuard(template: Template): StaticResource | undefined {
  let colons = 0;
  const tokens: GlobToken[] = [];
  for (const part of template.parts) {
    if (part.kind === 'variable') {
      if (colons < 5) return undefined;
      tokens.push(STAR);
    } else if (part.kind === 'literal') {
      tokens.push(part.text);
    } else {
      for (const ch of part.text) if (ch === ':') colons++;
      tokens.push(...wildcardTokens(part.text));
    }
  }
  return staticResource(tokens);
}

const IAM_USER_OR_ROLE = /^arn:[^:]+:iam::\d{12}:(?:user|role)\//;

function compilePrincipals(block: PrincipalBlock, ids: PrincipalIds | undefined): PrincipalSet {
  const set: PrincipalSet = {
    wildcard: false,
    arns: new Set(),
    accounts: new Set(),
    roles: new Set(),
    ids: new Set(),
    others: new Set(),
  };
  if (block.wildcard) {
    set.wildcard = true;
    return set;
  }
  for (const entry of block.entries) {
    for (const value of entry.values.values) {
      if (entry.type !== 'AWS') {
        set.others.add(value);
        continue;
      }
      if (value === '*') set.wildcard = true;
      else if (/^\d{12}$/.test(value)) set.accounts.add(value);
      else if (ids !== undefined && IAM_USER_OR_ROLE.test(value)) {
        const id = ids.get(value);
        if (id !== undefined) set.ids.add(id);
      } else {
        const m = /^arn:[^:]+:iam::(\d{12}):(root|role\/(?:.*\/)?([^/]+))$/.exec(value);
        if (m?.[2] === 'root') set.accounts.add(m[1] ?? '');
        else if (m?.[3] !== undefined) {
          set.roles.add(`${m[1]}/${m[3]}`);
          set.arns.add(value);
        } else set.arns.add(value);
      }
    }
  }
  return set;
}

function compileStatement(
  s: Statement,
  index: number,
  variables: boolean,
  ids: PrincipalIds | undefined,
): CompiledStatement {
  const actionList = s.action ?? s.notAction;
  const resourceList = s.resource ?? s.notResource;
  const principalBlock = s.principal ?? s.notPrincipal;
  return {
    index,
    sid: s.sid,
    effect: s.effect,
    isDeny: s.effect === 'Deny',
    actions: (actionList?.values ?? []).map((a) => Glob.fromText(a.toLowerCase())),
    notAction: s.notAction !== undefined,
    resources: resourceList ? resourceList.values.map((r) => compileResource(r, variables)) : null,
    notResource: s.notResource !== undefined,
    principals: principalBlock ? compilePrincipals(principalBlock, ids) : null,
    notPrincipal: s.notPrincipal !== undefined,
    conditions: s.condition ? compileConditions(s.condition, variables, s.effect === 'Allow') : [],
  };
}

/**
 * Compiles a parsed policy. Policy variables are live only under Version 2012-10-17 (IAM User
 * Guide, "IAM JSON policy elements: Version": with 2008-10-17 or no Version, `${…}` is literal).
 * `ids` binds the policy's user and role principals to unique IDs (see PrincipalIds).
 */
export function compileParsed(policy: Policy, kind: PolicyKind, ids?: PrincipalIds): CompiledPolicy {
  const variables = policy.version === '2012-10-17';
  return new CompiledPolicy(
    kind,
    policy,
    policy.statements.map((s, i) => compileStatement(s, i, variables, ids)),
  );
}

/**
 * Parses, validates and compiles a policy document; a PolicyError when it is malformed. Never throws.
 * `ids` binds the policy's user and role principals to unique IDs (see PrincipalIds).
 */
export function compilePolicy(input: unknown, kind: PolicyKind, ids?: PrincipalIds): CompiledPolicy | PolicyError {
  const parsed = parsePolicy(input, kind);
  if (parsed instanceof PolicyError) return parsed;
  return compileParsed(parsed, kind, ids);
}

function resourceEntryMatches(m: ResourceMatcher, req: RequestContext, values: ContextLookup): boolean {
  if (m.kind === 'all') return true;
  if (m.kind === 'template' && m.guard !== undefined && !staticMatches(m.guard, req)) return false;
  const r = m.kind === 'static' ? m : resolveCompiled(m.template, values, m.cache, staticResource);
  return r !== undefined && staticMatches(r, req);
}

function staticMatches(r: StaticResource, req: RequestContext): boolean {
  const epoch = currentEpoch();
  if (r.lastEpoch === epoch) return r.lastResult;
  const matches = req.isArn ? arnMatches(r.arn, req) : r.whole.test(req.resource);
  r.lastEpoch = epoch;
  r.lastResult = matches;
  return matches;
}

/**
 * True when the statement's Resource / NotResource applies to the request's resource.
 * INVARIANT: pattern results are memoized per evaluation epoch (see epoch.ts); callers advance it
 * once per request, as evaluate() does.
 */
export function resourceMatches(s: CompiledStatement, req: RequestContext): boolean {
  const list = s.resources;
  if (list === null) return true;
  if (s.notResource && !s.isDeny) return allowNotResourceMatches(list, req);
  let any = false;
  for (let i = 0; i < list.length; i++) {
    if (resourceEntryMatches(list[i] as ResourceMatcher, req, req.values)) {
      any = true;
      break;
    }
  }
  return s.notResource ? !any : any;
}

/**
 * An Allow's NotResource: it applies when no entry matches, and not at all when an entry holds a
 * variable the request has no value for. That variable "is effectively null", so the entry would
 * exclude nothing and the Allow would cover every resource; but "If AWS cannot resolve a variable
 * this might cause the entire statement to be invalid" ("IAM policy elements: Variables and tags").
 * basalt takes the reading that grants less (docs/compatibility.md #5); a Deny's NotResource keeps
 * excluding nothing, so the Deny applies.
 */
function allowNotResourceMatches(list: readonly ResourceMatcher[], req: RequestContext): boolean {
  let excluded = false;
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as ResourceMatcher;
    if (m.kind === 'template') {
      const r = resolveCompiled(m.template, req.values, m.cache, staticResource);
      if (r === undefined) return false;
      if (!excluded && staticMatches(r, req)) excluded = true;
    } else if (!excluded && resourceEntryMatches(m, req, req.values)) {
      excluded = true;
    }
  }
  return !excluded;
}

/** How a Principal set names the caller (see PrincipalMatch). */
export function principalMatch(set: PrincipalSet, p: RequestPrincipal): PrincipalMatch {
  if (set.wildcard) return MATCH_DIRECT;
  if (p.kind === 'anonymous') return MATCH_NONE;
  if (set.arns.has(p.arn)) return MATCH_DIRECT;
  // Service, Federated and CanonicalUser entries name only callers of those kinds: an IAM ARN written
  // under "Federated" does not name that user or role ("AWS JSON policy elements: Principal").
  if ((p.kind === 'service' || p.kind === 'federated' || p.kind === 'canonicalUser') && set.others.has(p.arn)) {
    return MATCH_DIRECT;
  }
  if (p.uniqueId !== undefined && set.ids.has(p.uniqueId)) return p.kind === 'assumedRole' ? MATCH_ROLE : MATCH_DIRECT;
  if (p.kind === 'assumedRole' && set.roles.has(p.roleKey ?? '')) return MATCH_ROLE;
  if (p.account !== '' && set.accounts.has(p.account)) {
    return p.kind === 'root' ? MATCH_DIRECT : MATCH_ACCOUNT;
  }
  return MATCH_NONE;
}

/**
 * True when a NotPrincipal set excludes the caller. IAM User Guide, "AWS JSON policy elements:
 * NotPrincipal": a principal is excluded only when each of its identities is listed — a user with its
 * account; a role session with its role and its account.
 */
export function notPrincipalExcludes(set: PrincipalSet, p: RequestPrincipal): boolean {
  if (set.wildcard) return true;
  if (p.kind === 'anonymous') return false;
  const accountListed = set.accounts.has(p.account);
  switch (p.kind) {
    case 'root':
      return accountListed;
    case 'assumedRole':
      return set.arns.has(p.arn) && (set.roles.has(p.roleKey ?? '') || listedById(set, p)) && accountListed;
    case 'service':
    case 'federated':
    case 'canonicalUser':
      return set.others.has(p.arn);
    default:
      return (set.arns.has(p.arn) || listedById(set, p)) && accountListed;
  }
}

function listedById(set: PrincipalSet, p: RequestPrincipal): boolean {
  return p.uniqueId !== undefined && set.ids.has(p.uniqueId);
}
